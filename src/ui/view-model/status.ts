import { connectionCurrent } from "../../feed/servable.js";
import type { BookView, ConnectionState } from "../../feed/types.js";
import type { Line, Role, Segment } from "./line.js";
import { clipLine, line } from "./line.js";
import { formatAge, formatDuration, formatLag, formatLatency, formatRate } from "./numbers.js";
import { sanitize } from "../../text/sanitize.js";

type Item = {
  /** Longest first; the bar uses the longest form of every item that fits, then drops items from the end. */
  readonly forms: readonly string[];
  readonly role?: Role;
  readonly bold?: boolean;
  /**
   * Its longest form matters more than the items after it: they are dropped, from the end, before it is
   * shortened (why the socket is down says more than the counts of a connection that is gone).
   */
  readonly whole?: boolean;
};

export function connectionText(connection: ConnectionState | undefined, now: number): Item {
  if (connection === undefined) return { forms: ["◌ starting", "◌"], role: "muted" };
  switch (connection.state) {
    case "live":
      return { forms: ["● connected", "● live"], role: "good" };
    case "connecting":
      return {
        forms: [`◌ connecting (attempt ${connection.attempt})`, "◌ connecting"],
        role: "warn",
      };
    case "quiet": {
      const silent = formatAge(now - connection.since);
      return {
        forms: [`◔ quiet: no frame for ${silent}`, `◔ quiet ${silent}`, "◔ quiet"],
        role: "warn",
        bold: true,
      };
    }
    case "stalled": {
      const silent = formatAge(now - connection.since);
      return {
        forms: [`◔ stalled: the feed has not answered for ${silent}`, `◔ stalled ${silent}`, "◔ stalled"],
        role: "warn",
        bold: true,
      };
    }
    case "subscribing":
      return { forms: ["◌ subscribing", "◌ subscr."], role: "warn" };
    case "reconnecting": {
      const wait = formatDuration(Math.max(0, connection.retryAt - now));
      const reason = sanitize(connection.reason);
      return {
        forms: [
          `○ reconnecting in ${wait} (attempt ${connection.attempt}: ${reason})`,
          `○ reconnecting in ${wait} (attempt ${connection.attempt})`,
          `○ retry in ${wait}`,
        ],
        role: "warn",
        bold: true,
        whole: true,
      };
    }
    case "ended":
      return {
        forms: ["■ replay ended: nothing is live", "■ replay ended", "■ ended"],
        role: "warn",
        bold: true,
      };
    case "stopped":
      return { forms: ["■ stopped"], role: "warn" };
    default:
      return connection satisfies never;
  }
}

/**
 * The status bar: connection (with a countdown while reconnecting), the exchange's system status (while live), then the selected book's lag when it is
 * lagging (first, so a narrow pane keeps it), messages per second, checksums ok and failed, trade-id gaps, resyncs, latency p50/p99 and the age of its last change, then key hints.
 * Exactly one line, at most `width` wide.
 */
export function statusLine(
  connection: ConnectionState | undefined,
  book: BookView | undefined,
  now: number,
  width: number,
  /** The exchange's system status (`status` channel), once heard; shown only while the connection is live. */
  system?: string,
): Line {
  const link = connectionText(connection, now);
  // A connected socket carrying a book that is behind is no green light.
  const items: Item[] = [
    book?.state === "lagging" && link.role === "good" ? { ...link, role: "muted" } : link,
  ];
  // The exchange's word of now, as the ticker: not shown from a connection that is gone or quiet.
  if (system !== undefined && connectionCurrent(connection?.state)) {
    const word = sanitize(system);
    items.push(
      system === "online"
        ? { forms: [`exchange ${word}`, `exch ${word}`], role: "muted" }
        : {
            forms: [`exchange ${word.toUpperCase()}`, `exch ${word.toUpperCase()}`],
            role: "warn",
            bold: true,
          },
    );
  }
  if (book !== undefined) {
    const failed = book.checksums.failed;
    if (book.state === "lagging") {
      const lag = formatLag(book.lagMs ?? 0);
      items.push({ forms: [`${lag} behind`, lag], role: "warn", bold: true });
    }
    items.push(
      { forms: [`${formatRate(book.messagesPerSecond)} msg/s`, `${formatRate(book.messagesPerSecond)}/s`] },
      {
        forms: [`checksums ✓${book.checksums.ok} ✗${failed}`, `✓${book.checksums.ok} ✗${failed}`],
        ...(failed > 0 ? { role: "warn" as const } : {}),
      },
      {
        forms: [`trade gaps ${book.tradeGaps}`, `gaps ${book.tradeGaps}`],
        ...(book.tradeGaps > 0 ? { role: "warn" as const } : {}),
      },
      {
        forms: [`resyncs ${book.resyncs}`, `rs ${book.resyncs}`],
        ...(book.resyncs > 0 ? { role: "warn" as const } : {}),
      },
      {
        forms: [
          `latency p50 ${formatLatency(book.latencyP50)} p99 ${formatLatency(book.latencyP99)}`,
          `p50 ${formatLatency(book.latencyP50)} p99 ${formatLatency(book.latencyP99)}`,
        ],
      },
      {
        forms:
          book.changedAt === undefined
            ? ["updated —", "—"]
            : [`updated ${formatAge(now - book.changedAt)} ago`, `${formatAge(now - book.changedAt)} ago`],
      },
    );
  }
  items.push({ forms: ["? help  q quit", "? help"], role: "muted" });
  return clipLine(line("status", fitItems(items, width)), width);
}

const SEP = " │ ";

/**
 * Long forms where they fit. When the line is too wide: shorten the stats (longest first), drop the key
 * hints, shorten the connection state to its middle form (for a `whole` one, reconnecting: only once every
 * stat is dropped, so why the socket is down stays), drop stats from the end, and only then use the
 * connection state's shortest form: while reconnecting, the countdown matters more than the stats.
 */
function fitItems(items: readonly Item[], width: number): Segment[] {
  const choice: number[] = new Array<number>(items.length).fill(0);
  let count = items.length;
  let hintsDropped = false;
  while (fittedWidth(items, choice, count) > width) {
    if (shortenLongestStat(items, choice, count)) continue;
    if (!hintsDropped && count > 1) {
      hintsDropped = true;
      count--;
      continue;
    }
    if (items[0]?.whole === true && (choice[0] ?? 0) === 0 && count > 1) {
      count--;
      continue;
    }
    const connectionForms = items[0]?.forms.length ?? 1;
    if ((choice[0] ?? 0) < connectionForms - 2) choice[0] = (choice[0] ?? 0) + 1;
    else if (count > 1) count--;
    else if (shortenable(items, choice, 0)) choice[0] = (choice[0] ?? 0) + 1;
    else break;
  }
  const segments: Segment[] = [{ text: " " }];
  for (let i = 0; i < count; i++) {
    const item = items[i] as Item;
    if (i > 0) segments.push({ text: SEP, role: "muted" });
    segments.push({
      text: formOf(items, choice, i),
      ...(item.role === undefined ? {} : { role: item.role }),
      ...(item.bold === true ? { bold: true } : {}),
    });
  }
  return segments;
}

// fitItems' steps are module-level functions, not closures made per frame: see ladder.ts.

/** The form item `i` shows. */
function formOf(items: readonly Item[], choice: readonly number[], i: number): string {
  return items[i]?.forms[choice[i] ?? 0] ?? "";
}

/** Width of the first `count` items in their chosen forms, with separators and the leading space. */
function fittedWidth(items: readonly Item[], choice: readonly number[], count: number): number {
  let width = SEP.length * Math.max(0, count - 1) + 1;
  for (let i = 0; i < count; i++) width += formOf(items, choice, i).length;
  return width;
}

function shortenable(items: readonly Item[], choice: readonly number[], i: number): boolean {
  return (choice[i] ?? 0) < (items[i]?.forms.length ?? 1) - 1;
}

/** Moves the longest stat that has a shorter form to that form; false if none has. */
function shortenLongestStat(items: readonly Item[], choice: number[], count: number): boolean {
  let best = -1;
  let bestLength = -1;
  for (let i = 1; i < count; i++) {
    const length = formOf(items, choice, i).length;
    if (shortenable(items, choice, i) && length > bestLength) {
      best = i;
      bestLength = length;
    }
  }
  if (best < 0) return false;
  choice[best] = (choice[best] ?? 0) + 1;
  return true;
}
