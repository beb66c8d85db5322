/**
 * How far behind the exchange the feed is, with no trust in this machine's clock.
 *
 * Every timestamped message gives `receive time − exchange time`: the true delay plus the constant
 * offset between the two clocks. The smallest such figure over the last few minutes is the offset
 * plus the fastest delivery seen, so a book's lag is its newest update's figure minus that smallest
 * one: a constant clock offset cancels out, and a feed that falls behind shows by how much.
 *
 * Samples are book updates (their timestamp is the time of the change, sent at once) and pongs
 * (`time_out` is when the server answered our ping). Snapshots are not: their timestamp is the
 * book's last change, which may be long ago on a quiet pair.
 *
 * Limits: a feed that is uniformly behind from the very first message looks current here, because
 * nothing recent was faster, unless pongs come back promptly (a server whose book pipeline lags
 * while it still answers pings at once); a delay inside the socket itself (frames queued before
 * ours, as the simulator's `--drip` does) holds pongs back too and cannot be told from an offset:
 * the pings' round trip tells it instead (see `freshness` in publisher.ts).
 * A forward step of the local clock looks like lag until the step ages out of the window; a
 * backward step is absorbed at once.
 */
export class ClockOffset {
  private readonly mins: Float64Array;
  private readonly starts: Float64Array;

  constructor(
    private readonly bucketMs = OFFSET_BUCKET_MS,
    buckets = OFFSET_BUCKETS,
  ) {
    this.mins = new Float64Array(buckets).fill(Infinity);
    this.starts = new Float64Array(buckets).fill(-Infinity);
  }

  /** One `receive − exchange` figure (ms), received at `at` (epoch ms). */
  add(delta: number, at: number): void {
    const start = at - (at % this.bucketMs);
    const i = Math.floor(start / this.bucketMs) % this.mins.length;
    if (this.starts[i] !== start) {
      this.starts[i] = start;
      this.mins[i] = delta;
    } else if (delta < this.mins[i]!) this.mins[i] = delta;
  }

  /** The smallest figure over the window ending at `now`; undefined before the first. */
  baseline(now: number): number | undefined {
    const from = now - (now % this.bucketMs) - (this.mins.length - 1) * this.bucketMs;
    let min = Infinity;
    for (let i = 0; i < this.mins.length; i++) {
      if (this.starts[i]! >= from && this.mins[i]! < min) min = this.mins[i]!;
    }
    return min === Infinity ? undefined : min;
  }
}

/** The window over which the smallest offset is kept: ten half-minute buckets, five minutes. */
export const OFFSET_BUCKET_MS = 30_000;
export const OFFSET_BUCKETS = 10;

/** A book's lag (ms, never negative) from its newest update's `receive − exchange` figure. */
export function lagOf(delta: number | undefined, baseline: number | undefined): number | undefined {
  if (delta === undefined || baseline === undefined) return undefined;
  return Math.max(0, Math.round(delta - baseline));
}
