/**
 * At most `perSecond` messages of one kind pass in any one-second window; the rest are counted, and when
 * the window ends one summary message says how many were not shown and repeats the latest of them (so a
 * flapping exchange status still ends on its last word). A hostile or broken server cannot flood a
 * stream or a terminal through it: at most `perSecond + 1` messages a second come out.
 */
export class MessageLimiter {
  private windowStart = Number.NEGATIVE_INFINITY;
  private passed = 0;
  private suppressed = 0;
  private latest = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly perSecond: number,
    /** Plural noun for the summary: "errors", "notices". */
    private readonly what: string,
    private readonly emit: (message: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  post(message: string): void {
    const now = this.now();
    if (now - this.windowStart >= WINDOW_MS) {
      this.flush();
      this.windowStart = now;
      this.passed = 0;
    }
    if (++this.passed <= this.perSecond) return this.emit(message);
    this.suppressed++;
    this.latest = message;
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
    this.emit(`${n} more ${this.what} not shown (latest: ${this.latest})`);
  }
}

const WINDOW_MS = 1000;
