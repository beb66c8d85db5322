import { CATALOGUE, findPair, instrumentFrame } from "./catalogue.js";
import { nowMicros } from "./format.js";
import { Pacer } from "./market.js";
import { Random, deriveSeed } from "./random.js";
import type { BookSource, Subscriber } from "./source.js";
import { SymbolFeed } from "./symbol-feed.js";

type Live = {
  readonly feed: SymbolFeed;
  readonly pacer: Pacer;
  /** Subscribers grouped by depth: one frame is rendered per depth and shared. */
  readonly groups: Map<number, Set<Subscriber>>;
  /** performance.now() time of the next message. */
  nextAt: number;
};

/** Most messages one symbol may emit in a single timer turn, so a huge --rate cannot starve the socket. */
const MAX_STEPS_PER_TURN = 2000;
/** Falling further behind than this resets the schedule instead of catching up in a flood. */
const MAX_LAG_MS = 1000;

/**
 * The live driver of the market model: each catalogue pair's market moves only while someone
 * is subscribed to it, at `rate` messages a second on average (with quiet spells and bursts),
 * and every subscriber gets the frames for its own depth. One timer serves all symbols.
 */
export class DemoSource implements BookSource {
  private readonly lives = new Map<string, Live>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly rate: number,
    private readonly seed: number,
  ) {}

  has(symbol: string): boolean {
    return findPair(symbol) !== undefined;
  }

  servedDepth(_symbol: string, requested: number): number {
    return requested;
  }

  instrumentFrame(): string {
    return instrumentFrame(CATALOGUE);
  }

  subscribe(symbol: string, depth: number, snapshot: boolean, subscriber: Subscriber): () => void {
    const live = this.live(symbol);
    const wasIdle = live.groups.size === 0;
    let group = live.groups.get(depth);
    if (group === undefined) live.groups.set(depth, (group = new Set()));
    group.add(subscriber);
    if (snapshot) subscriber.send(live.feed.snapshot(depth), symbol);
    if (wasIdle) {
      live.nextAt = performance.now() + live.pacer.next(this.rate) * 1000;
      this.schedule();
    }
    return () => {
      group.delete(subscriber);
      if (group.size === 0 && live.groups.get(depth) === group) live.groups.delete(depth);
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private live(symbol: string): Live {
    let live = this.lives.get(symbol);
    if (live === undefined) {
      const pair = findPair(symbol);
      if (pair === undefined) throw new Error(`unknown symbol ${symbol}`);
      live = {
        feed: new SymbolFeed(pair, this.seed, nowMicros()),
        pacer: new Pacer(new Random(deriveSeed(this.seed, symbol + "#pace"))),
        groups: new Map(),
        nextAt: 0,
      };
      this.lives.set(symbol, live);
    }
    return live;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (const live of this.lives.values()) {
      if (live.groups.size === 0) continue;
      if (now - live.nextAt > MAX_LAG_MS) live.nextAt = now;
      for (let steps = 0; live.nextAt <= now && steps < MAX_STEPS_PER_TURN && live.groups.size > 0; steps++) {
        this.emit(live);
        live.nextAt += live.pacer.next(this.rate) * 1000;
      }
    }
    this.schedule();
  };

  private emit(live: Live): void {
    const depths = [...live.groups.keys()];
    const frames = live.feed.step(depths, nowMicros());
    const symbol = live.feed.symbol;
    for (let i = 0; i < depths.length; i++) {
      const frame = frames[i];
      const group = live.groups.get(depths[i]!);
      if (frame === undefined || group === undefined) continue;
      for (const subscriber of group) subscriber.send(frame, symbol);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    let next = Infinity;
    for (const live of this.lives.values())
      if (live.groups.size > 0 && live.nextAt < next) next = live.nextAt;
    if (next === Infinity) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, Math.max(0, next - performance.now()));
  }
}
