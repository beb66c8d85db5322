/**
 * A small seeded PRNG (mulberry32): the same seed gives the same market, frame for frame.
 * Math.random cannot be seeded, and determinism is what makes demo runs and corpora repeatable.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Exponentially distributed with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** 0, 1, 2, … with P(k) = (1-q) q^k: small values most likely. */
  geometric(q: number): number {
    return Math.floor(Math.log(1 - this.next()) / Math.log(q));
  }
}

/** FNV-1a over a seed and a name: one independent stream per symbol from one `--seed`. */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= Math.floor(seed / 4294967296);
  return Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
}

/** A seed for runs without `--seed`. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 4294967296);
}
