import { connectionTrouble } from "../events/from-feed.js";
import { servable } from "../feed/servable.js";
import { retryingIn } from "../feed/retrying.js";
import type { FeedEvent, FeedView } from "../feed/types.js";

/** The same note is said again after this long at the earliest, however often it comes meanwhile. */
export const REPEAT_MS = 60_000;

/** A note of several books names this many, and counts the rest. */
const NAMED = 5;

/**
 * A note about one book: `FOO/BAR` `rejected: Currency pair not supported FOO/BAR` and what only it has to
 * say; `shared`, the note said of several books at once: the same without the book's own name
 * (`rejected: Currency pair not supported`), the notes of one run with the same `shared` being one line.
 */
type BookNote = {
  readonly symbol: string;
  readonly what: string;
  readonly detail: string;
  readonly shared: string;
};

/**
 * What serve says on stderr about its feed, which /health, /symbols and /metrics show but nobody watching
 * the terminal would see: why the connection is down (`cannot connect: …`, `connection lost: …`, worded as
 * NDJSON's error lines), the feed's errors (a subscription refused, a malformed frame) and notices (the
 * exchange's status), that the connection is live again, nothing left to watch, and each book that
 * resyncs or is rejected, with the reason the ladder shows (`BTC/USD resyncing: checksum-mismatch`,
 * `FOO/BAR rejected: Currency pair not supported FOO/BAR`), and `BTC/USD verified again after 3 resyncs`
 * once a book whose resync was said is served again.
 *
 * A server that fails the same way on every try, or a feed that flaps, does not flood the terminal: a
 * note is said again only once REPEAT_MS have passed since it last was, with how many times it came
 * meanwhile, and `live again` (`verified again`) only after a connection (book) trouble that was said.
 * So what the terminal last said of the connection is at most REPEAT_MS out of date. (The worker already
 * caps errors and notices per second.) The book notes of one moment (a frame that could not be read
 * resyncs every book of a market; the exchange rejects many unknown pairs, each answer naming its pair)
 * are said together: one line for every book with the same note, naming five and counting the rest,
 * whose names /health (every book's state, a rejection being final) and /symbols (with its reason) give.
 */
export class FeedNotes {
  /** When each note was last said, and how many times it came since without being said. */
  private readonly said = new Map<string, { at: number; unsaid: number }>();
  /** A connection trouble has been said since the connection was last live. */
  private troubleSaid = false;
  /** Tries that failed since the connection was last live. */
  private failed = 0;
  /** Each book that resynced since it was last served: how many times, and whether a resync was said. */
  private readonly resyncing = new Map<string, { resyncs: number; said: boolean }>();
  /** Book notes of a run of resyncs and rejections not yet over. */
  private pending: BookNote[] = [];

  constructor(
    private readonly note: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  event(event: FeedEvent): void {
    // A run of resyncs (of every book a frame that could not be read may have touched) or rejections is
    // said once it is over, at the next event of another kind: the worker follows a resync with a view at
    // once, and a rejection with its next view.
    if (event.type !== "resync" && event.type !== "rejected") this.flush();
    switch (event.type) {
      case "connection":
        if (event.state === "reconnecting") {
          this.failed++;
          if (this.say(connectionTrouble(event), "; retrying")) this.troubleSaid = true;
        } else if (event.state === "live") {
          if (this.troubleSaid) {
            const tries = this.failed === 1 ? "1 failed try" : `${this.failed} failed tries`;
            this.note(`connection live again after ${tries}`);
          }
          this.troubleSaid = false;
          this.failed = 0;
        }
        return;
      case "error": {
        // A failure retried says its delay, which grows each try: the same note whatever the delay.
        const tail = event.retryInMs === undefined ? "" : retryingIn(event.retryInMs);
        if (tail !== "" && event.message.endsWith(tail)) this.say(event.message.slice(0, -tail.length), tail);
        else this.say(event.message, "");
        return;
      }
      case "notice":
      case "nothing-to-watch":
        this.say(event.message, "");
        return;
      case "resync": {
        const book = this.resyncing.get(event.symbol) ?? { resyncs: 0, said: false };
        book.resyncs++;
        this.resyncing.set(event.symbol, book);
        if (this.sayOfBook(event.symbol, `resyncing: ${event.reason}`)) book.said = true;
        return;
      }
      case "rejected":
        // Never subscribed again: never served again.
        this.resyncing.delete(event.symbol);
        this.sayOfBook(
          event.symbol,
          `rejected: ${event.reason}`,
          `rejected: ${withoutName(event.reason, event.symbol)}`,
        );
        return;
      case "view":
        if (this.resyncing.size > 0) this.served(event.view);
        this.flush();
        return;
      default:
        return;
    }
  }

  /** Says `message` (and `tail`) unless it was said less than REPEAT_MS ago; whether it was said. */
  private say(message: string, tail: string): boolean {
    const again = this.due(message);
    if (again !== undefined) this.note(`${message}${tail}${again}`);
    return again !== undefined;
  }

  /**
   * Says `what` of a book with the others of its run (`shared` of them all when they are several), unless it
   * was said less than REPEAT_MS ago.
   */
  private sayOfBook(symbol: string, what: string, shared = what): boolean {
    const again = this.due(`${symbol} ${what}`);
    if (again !== undefined) this.pending.push({ symbol, what, detail: again, shared });
    return again !== undefined;
  }

  /** `verified again` of each book whose resync was said, once it is served. */
  private served(view: FeedView): void {
    for (const b of view.books) {
      const book = this.resyncing.get(b.symbol);
      if (book === undefined || !servable(b.state, view.connection.state)) continue;
      this.resyncing.delete(b.symbol);
      const resyncs = book.resyncs === 1 ? "1 resync" : `${book.resyncs} resyncs`;
      if (book.said)
        this.pending.push({
          symbol: b.symbol,
          what: "verified again",
          detail: ` after ${resyncs}`,
          shared: "verified again",
        });
    }
  }

  /**
   * Whether `message` is due: undefined when it was said less than REPEAT_MS ago (it is counted), else
   * what to add to it (how many times it came since it was last said), and it counts as said now.
   */
  private due(message: string): string | undefined {
    const now = this.now();
    const last = this.said.get(message);
    if (last !== undefined && now - last.at < REPEAT_MS) {
      last.unsaid++;
      return undefined;
    }
    // A note due again that never came again is forgotten: the map holds recent notes, not every one ever.
    for (const [text, entry] of this.said)
      if (entry.unsaid === 0 && now - entry.at >= REPEAT_MS) this.said.delete(text);
    this.said.set(message, { at: now, unsaid: 0 });
    return last === undefined || last.unsaid === 0
      ? ""
      : ` (${last.unsaid === 1 ? "once" : `${last.unsaid} times`} more since it was last said)`;
  }

  /**
   * The book notes held, one line per shared note in the order first held: `BTC/USD resyncing: bad-frame`
   * (`FOO/BAR rejected: Currency pair not supported FOO/BAR`) with its detail for one book, `BTC/USD,
   * ETH/USD, … and 7 more resyncing: bad-frame` (`FOO/BAR, … and 7 more rejected: Currency pair not
   * supported`) for several.
   */
  private flush(): void {
    const notes = this.pending;
    if (notes.length === 0) return;
    this.pending = [];
    const byShared = new Map<string, BookNote[]>();
    for (const n of notes) {
      const same = byShared.get(n.shared);
      if (same === undefined) byShared.set(n.shared, [n]);
      else same.push(n);
    }
    for (const [shared, same] of byShared) {
      if (same.length === 1) {
        this.note(`${same[0]!.symbol} ${same[0]!.what}${same[0]!.detail}`);
        continue;
      }
      const more = same.length > NAMED ? ` and ${same.length - NAMED} more` : "";
      const names = same.slice(0, NAMED).map((n) => n.symbol);
      this.note(`${names.join(", ")}${more} ${shared}`);
    }
  }
}

/**
 * A book's reason as said of several books: without its own name, which the line says before it. Kraken
 * ends its rejection with the pair (`Currency pair not supported FOO/BAR`): that is left off; the name
 * anywhere else reads `…`.
 */
function withoutName(reason: string, symbol: string): string {
  const own = ` ${symbol}`;
  return (reason.endsWith(own) ? reason.slice(0, -own.length) : reason).split(symbol).join("…");
}
