import { Exact } from "./exact.js";

export type SpreadSummary = {
  /** Median of the samples in the window (the exact mean of the middle two for an even count), bps. */
  readonly median: string;
  /** 95th percentile by nearest rank (the ⌈0.95·n⌉-th smallest sample), bps. */
  readonly p95: string;
  /** The samples, oldest first, as given, for a sparkline. */
  readonly series: readonly string[];
};

/**
 * `value` orders the samples: bps texts have PLACES decimals, and distinct ones of that many places stay
 * distinct and in order as doubles (their spacing is far above a double's error at any spread a book
 * has). Exact arithmetic is only needed for the median of an even count, once per summary.
 */
type Sample = { readonly slot: number; readonly value: number; readonly text: string };

/**
 * A rolling record of one book's spread in basis points: at most one sample per `stepMs` (the latest
 * given within that step), kept for `windowMs` (default 5 minutes at one a second: at most 300 samples).
 * Time is passed in; nothing here reads a clock. The summary is computed again only after the samples
 * changed (a board asks for it every frame).
 */
export class SpreadWindow {
  private samples: Sample[] = [];
  /** The summary of the samples as they are; `null` when they changed since. */
  private cached: SpreadSummary | undefined | null = null;

  constructor(
    private readonly windowMs = 300_000,
    private readonly stepMs = 1_000,
  ) {}

  /** Records the spread (bps, exact decimal text) seen at `now` (epoch ms). */
  add(now: number, bps: string): void {
    const slot = Math.floor(now / this.stepMs);
    const last = this.samples[this.samples.length - 1];
    // The same spread again within the step: nothing to record (summary prunes for itself).
    if (last !== undefined && last.slot === slot && last.text === bps) return;
    if (last !== undefined && last.slot === slot) {
      if (last.text !== bps) {
        this.samples[this.samples.length - 1] = { slot, value: Number(bps), text: bps };
        this.cached = null;
      }
    } else {
      this.samples.push({ slot, value: last?.text === bps ? last.value : Number(bps), text: bps });
      this.cached = null;
    }
    this.prune(now);
  }

  /** Median, p95 and the series over the window ending at `now`; undefined while it holds no sample. */
  summary(now: number): SpreadSummary | undefined {
    this.prune(now);
    if (this.cached !== null) return this.cached;
    const n = this.samples.length;
    if (n === 0) return (this.cached = undefined);
    const sorted = [...this.samples].sort((a, b) => a.value - b.value);
    const median =
      n % 2 === 1
        ? sorted[(n - 1) / 2]!.text
        : new Exact(sorted[n / 2 - 1]!.text)
            .plus(sorted[n / 2]!.text)
            .dividedBy(2)
            .toFixed();
    this.cached = {
      median,
      p95: sorted[Math.ceil(0.95 * n) - 1]!.text,
      series: this.samples.map((s) => s.text),
    };
    return this.cached;
  }

  private prune(now: number): void {
    const oldest = Math.floor((now - this.windowMs) / this.stepMs);
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.slot <= oldest) drop++;
    if (drop > 0) {
      this.samples = this.samples.slice(drop);
      this.cached = null;
    }
  }
}
