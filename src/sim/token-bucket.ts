/**
 * A token bucket: holds at most `size` tokens, refilled continuously at `rate` a second, one
 * token per `take()`. The clock is a parameter so the arithmetic can be checked without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly size: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = size;
    this.last = clock();
  }

  /** Takes one token if there is one; false when the bucket is empty. */
  take(): boolean {
    const now = this.clock();
    const refill = ((now - this.last) / 1000) * this.rate;
    this.last = now;
    this.tokens = Math.min(this.size, this.tokens + refill);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
