/**
 * One side of the simulator's full book, in integers: `keys` ascending = best first
 * (asks: price ticks; bids: negated price ticks), `lots` the quantity in qty increments.
 * Binary search and splice: the book holds ~1200 levels, so this stays cheap.
 */
export class SideBook {
  readonly keys: number[] = [];
  readonly lots: number[] = [];

  /** +1 for asks (key = ticks), -1 for bids (key = -ticks). */
  constructor(readonly sign: 1 | -1) {}

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(key: number): boolean {
    return this.keys[this.lowerBound(key)] === key;
  }

  /** Sets a level (absolute quantity); zero lots deletes it. */
  set(key: number, lots: number): void {
    const i = this.lowerBound(key);
    const found = this.keys[i] === key;
    if (lots === 0) {
      if (found) {
        this.keys.splice(i, 1);
        this.lots.splice(i, 1);
      }
    } else if (found) {
      this.lots[i] = lots;
    } else {
      this.keys.splice(i, 0, key);
      this.lots.splice(i, 0, lots);
    }
  }

  /** Price in ticks of the level at `i` (0 = best). */
  ticksAt(i: number): number {
    return this.keys[i]! * this.sign;
  }

  /** Key of the `depth`-th best level: everything at or better than it is inside that depth. */
  edge(depth: number): number {
    return this.keys.length >= depth ? this.keys[depth - 1]! : Infinity;
  }
}
