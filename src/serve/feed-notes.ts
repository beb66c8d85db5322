import { connectionTrouble } from "../events/from-feed.js";
import type { FeedEvent } from "../feed/types.js";

/** The same note is said again after this long at the earliest, however often it comes meanwhile. */
export const REPEAT_MS = 60_000;

/**
 * What serve says on stderr about its feed, which /health, /symbols and /metrics show but nobody watching
 * the terminal would see: why the connection is down (`cannot connect: …`, `connection lost: …`, worded as
 * NDJSON's error lines), the feed's errors (a subscription refused, a malformed frame) and notices (the
 * exchange's status), and that the connection is live again.
 *
 * A server that fails the same way on every try, or a feed that flaps, does not flood the terminal: a
 * note is said again only once REPEAT_MS have passed since it last was, with how many times it came
 * meanwhile, and `live again` only after a connection trouble that was said. So what the terminal last
 * said of the connection is at most REPEAT_MS out of date. (The worker already caps errors and notices
 * per second.)
 */
export class FeedNotes {
  /** When each note was last said, and how many times it came since without being said. */
  private readonly said = new Map<string, { at: number; unsaid: number }>();
  /** A connection trouble has been said since the connection was last live. */
  private troubleSaid = false;
  /** Tries that failed since the connection was last live. */
  private failed = 0;

  constructor(
    private readonly note: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  event(event: FeedEvent): void {
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
      case "error":
      case "notice":
        this.say(event.message, "");
        return;
      default:
        return;
    }
  }

  /** Says `message` (and `tail`) unless it was said less than REPEAT_MS ago; whether it was said. */
  private say(message: string, tail: string): boolean {
    const now = this.now();
    const last = this.said.get(message);
    if (last !== undefined && now - last.at < REPEAT_MS) {
      last.unsaid++;
      return false;
    }
    // A note due again that never came again is forgotten: the map holds recent notes, not every one ever.
    for (const [text, entry] of this.said)
      if (entry.unsaid === 0 && now - entry.at >= REPEAT_MS) this.said.delete(text);
    const again =
      last === undefined || last.unsaid === 0
        ? ""
        : ` (${last.unsaid === 1 ? "once" : `${last.unsaid} times`} more since it was last said)`;
    this.note(`${message}${tail}${again}`);
    this.said.set(message, { at: now, unsaid: 0 });
    return true;
  }
}
