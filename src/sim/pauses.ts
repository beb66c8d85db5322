/**
 * A recording's time with its long pauses shortened. A pause is a stretch in which no stream of the
 * recording (books, trades, tickers, instruments) has a timestamp: the recorder was not running, as
 * between two runs appended to one file. Replayed as recorded, such a pause keeps the client waiting for
 * hours; shortened to `maxPause` it still shows as a pause, and what came after follows.
 */
export class PauseClock {
  /** Where each long pause ends (its first timestamp after), ascending. */
  private readonly ends: number[] = [];
  /** Time taken out of the recording up to and including each long pause. */
  private readonly removed: number[] = [];

  /** `times`: every timestamp of the recording, in any order; `maxPause` in the same unit. */
  constructor(times: Iterable<number>, maxPause: number) {
    const sorted = Float64Array.from(times).sort();
    let total = 0;
    for (let i = 1; i < sorted.length; i++) {
      const pause = sorted[i]! - sorted[i - 1]!;
      if (pause <= maxPause) continue;
      total += pause - maxPause;
      this.ends.push(sorted[i]!);
      this.removed.push(total);
    }
  }

  /** `time` on the shortened timeline: less the part of every long pause that ended at or before it. */
  at(time: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? time : time - this.removed[lo - 1]!;
  }
}
