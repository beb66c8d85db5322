/**
 * At most `perSecond` messages of one kind pass in any one-second window; the rest are counted, and when
 * the window ends one summary message says how many were not shown and repeats the latest of them (so a
 * flapping exchange status still ends on its last word). A hostile or broken server cannot flood a
 * stream or a terminal through it: at most `perSecond + 1` messages a second come out. A message that
 * passes comes out as it was posted, with whatever else it carries (an error's `retryInMs`); a summary
 * is made by `summary` from its text alone.
 */
export class MessageLimiter<M extends { readonly message: string }> {
  private windowStart = Number.NEGATIVE_INFINITY;
  private passed = 0;
  private suppressed = 0;
  private latest = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perSecond: number,
    /** Plural noun for the summary: "errors", "notices". */
    private readonly what: string,
    private readonly emit: (message: M) => void,
    private readonly summary: (text: string) => M,
    private readonly now: () => number = Date.now,
  ) {}

  post(message: M): void {
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = now;
      this.passed = 0;
    }
    if (++this.passed <= this.perSecond) return this.emit(message);
    this.suppressed++;
    this.latest = message.message;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), Math.max(1, this.windowStart + WINDOW_MS - now));
      this.timer.unref();
    }
  }

  /** Emits the summary of what this window suppressed, if anything; called on stop too. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    const n = this.suppressed;
    this.suppressed = 0;
    this.emit(this.summary(`${n} more ${this.what} not shown (latest: ${this.latest})`));
  }
}

const WINDOW_MS = 1000;
