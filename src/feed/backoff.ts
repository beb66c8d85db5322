/**
 * Exponential backoff with full jitter: the n-th delay is uniform in [0, min(cap, base·2^n)).
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 * A "slow" delay (policy close, rate limiting) skips ahead two steps and keeps at least half the
 * ceiling, so a server that pushes back is never hammered. With `equal` jitter every delay keeps
 * half its ceiling (uniform in [c/2, c)): used where each retry must wait longer than the last.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
    private readonly jitter: "full" | "equal" = "full",
  ) {}

  /** Failures since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(slow = false): number {
    if (slow) this.attempt += 2;
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const floor = slow || this.jitter === "equal" ? ceiling / 2 : 0;
    return Math.round(floor + this.random() * (ceiling - floor));
  }

  reset(): void {
    this.attempt = 0;
  }
}

/**
 * The backoff of one thing that fails now and then (a book's resubscribe, a pair's trade renewal): a
 * failure more than `memoryMs` after the last starts it afresh. "first-now" sends a fresh run's first
 * failure at once, "backoff" waits a step, "slow" takes the slow step (rate limits). Equal jitter, so each
 * retry waits longer than the last.
 */
export class FailureBackoff {
  private failures = 0;
  private lastAt = -Infinity;
  private readonly backoff: Backoff;

  constructor(
    baseMs: number,
    capMs: number,
    private readonly memoryMs: number,
  ) {
    this.backoff = new Backoff(baseMs, capMs, Math.random, "equal");
  }

  /** A failure at `now` (ms): how long to wait before trying again. */
  delay(now: number, step: "first-now" | "backoff" | "slow"): number {
    if (now - this.lastAt > this.memoryMs) {
      this.failures = 0;
      this.backoff.reset();
    }
    this.lastAt = now;
    const delay =
      step === "slow"
        ? this.backoff.next(true)
        : step === "first-now" && this.failures === 0
          ? 0
          : this.backoff.next();
    this.failures++;
    return delay;
  }
}
