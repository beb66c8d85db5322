/** Small fixed-memory windows for the figures each published view carries. */

const BUCKET_MS = 250;
const BUCKETS = 8;

/**
 * Events per second over the complete quarter-second buckets of the last two seconds (the
 * current, partly filled bucket is left out). No allocation per event.
 */
export class RateCounter {
  private readonly counts = new Uint32Array(BUCKETS);
  private readonly starts = new Float64Array(BUCKETS);

  add(now: number): void {
    const start = now - (now % BUCKET_MS);
    const i = Math.floor(start / BUCKET_MS) % BUCKETS;
    if (this.starts[i] !== start) {
      this.starts[i] = start;
      this.counts[i] = 0;
    }
    this.counts[i]!++;
  }

  perSecond(now: number): number {
    const current = now - (now % BUCKET_MS);
    const from = current - (BUCKETS - 1) * BUCKET_MS;
    let n = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const start = this.starts[i]!;
      if (start >= from && start < current) n += this.counts[i]!;
    }
    return Math.round((n * 1000) / ((BUCKETS - 1) * BUCKET_MS));
  }
}

const SAMPLES = 512;
/** Latency samples older than this are left out of the percentiles. */
export const LATENCY_WINDOW_MS = 10_000;

/** Percentiles are worked out again at most this often: a view is published up to `--fps` times a second. */
export const PERCENTILES_EVERY_MS = 1000;

type Percentiles = { readonly p50: number; readonly p99: number };

/** The latest latency samples (ms) with their times, for p50 and p99 over a recent window. */
export class LatencyWindow {
  private readonly values = new Float64Array(SAMPLES);
  private readonly times = new Float64Array(SAMPLES);
  private next = 0;
  private filled = 0;
  private computed: Percentiles | null = null;
  private computedAt = Number.NEGATIVE_INFINITY;

  add(ms: number, at: number): void {
    this.values[this.next] = ms;
    this.times[this.next] = at;
    this.next = (this.next + 1) % SAMPLES;
    if (this.filled < SAMPLES) this.filled++;
  }

  clear(): void {
    this.filled = 0;
    this.next = 0;
    this.computed = null;
  }

  /**
   * Nearest-rank percentiles over the samples of the last window; null when there are none. Worked out
   * again when the last figures are `PERCENTILES_EVERY_MS` old (or there were none), else the same.
   */
  percentiles(now: number): Percentiles | null {
    if (this.computed !== null && now - this.computedAt < PERCENTILES_EVERY_MS) return this.computed;
    this.computed = this.compute(now);
    this.computedAt = now;
    return this.computed;
  }

  private compute(now: number): Percentiles | null {
    const recent: number[] = [];
    for (let i = 0; i < this.filled; i++) {
      if (now - this.times[i]! <= LATENCY_WINDOW_MS) recent.push(this.values[i]!);
    }
    if (recent.length === 0) return null;
    recent.sort((a, b) => a - b);
    const rank = (p: number): number =>
      recent[Math.min(recent.length - 1, Math.ceil(p * recent.length) - 1)]!;
    return { p50: rank(0.5), p99: rank(0.99) };
  }
}
