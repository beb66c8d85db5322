import { sanitize } from "../../text/sanitize.js";
import type { Line, Role } from "./line.js";
import { clipLine, line } from "./line.js";
import { clip } from "./text.js";

/** One notice as the line above the status bar shows it. */
export type Notice = {
  readonly text: string;
  /** `warn` for trouble (failures, rejections, bad frames), `good` for a done job (saved). */
  readonly role: Role;
  /** Notices that came meanwhile and were not shown on their own (the rate limit). */
  readonly more: number;
};

type Shown = Notice & { readonly since: number };

export type NoticeOptions = {
  /** At most one new notice this often; the newest of those that came meanwhile is shown next. */
  readonly intervalMs?: number;
  /** A notice stays this long (unless a newer one replaces it). */
  readonly showMs?: number;
};

/**
 * The notice line's memory: recording failures, malformed frames, exchange status changes, subscription
 * errors, saves. Rate-limited: at most one new notice per `intervalMs`; of those that come meanwhile the
 * newest wins and the rest are counted (`more`). Time is passed in, so it is driven directly in tests.
 */
export class NoticeQueue {
  readonly #intervalMs: number;
  readonly #showMs: number;
  #shown: Shown | undefined;
  #pending: { readonly text: string; readonly role: Role } | undefined;
  #skipped = 0;

  constructor(options: NoticeOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#showMs = options.showMs ?? 10_000;
  }

  /** A new notice (server text in it is sanitised here). */
  push(text: string, role: Role, now: number): void {
    const clean = sanitize(text);
    if (this.#shown === undefined || now - this.#shown.since >= this.#intervalMs) {
      this.#shown = { text: clean, role, more: 0, since: now };
      return;
    }
    if (this.#pending !== undefined) this.#skipped++;
    this.#pending = { text: clean, role };
  }

  /** The notice to show now, if any. */
  current(now: number): Notice | undefined {
    const shown = this.#shown;
    if (this.#pending !== undefined && (shown === undefined || now - shown.since >= this.#intervalMs)) {
      this.#shown = { ...this.#pending, more: this.#skipped, since: now };
      this.#pending = undefined;
      this.#skipped = 0;
    } else if (shown !== undefined && now - shown.since >= this.#showMs) {
      this.#shown = undefined;
    }
    return this.#shown;
  }

  /** Ms until `current` may say something else (a pending notice, an expiry); undefined when nothing will change. */
  nextChange(now: number): number | undefined {
    const shown = this.#shown;
    if (shown === undefined) return this.#pending === undefined ? undefined : 0;
    const at = shown.since + (this.#pending === undefined ? this.#showMs : this.#intervalMs);
    return Math.max(0, at - now);
  }
}

/** The notice as the line above the status bar: ` ! text (+N more)`, at most `width` wide. */
export function noticeLine(notice: Notice, width: number): Line {
  const mark = notice.role === "warn" ? "!" : "✓";
  const more = notice.more > 0 ? ` (+${notice.more} more)` : "";
  // The count stays when the text is cut.
  return clipLine(
    line("notice", [
      { text: ` ${mark} `, role: notice.role, bold: true },
      { text: clip(notice.text, width - 3 - more.length), role: notice.role },
      { text: more, role: "muted" },
    ]),
    width,
  );
}
