import { timerDelay } from "../feed/timers.js";
import { CATALOGUE, instrumentFrame, instrumentUpdateFrame } from "./catalogue.js";
import type { Pair } from "./catalogue.js";
import type { FaultOptions } from "./faults.js";
import { nowMicros } from "./format.js";
import { Pacer } from "./market.js";
import type { Trading } from "./market.js";
import { Random, deriveSeed } from "./random.js";
import type { BookSource, Subscriber, TickerTrigger } from "./source.js";
import { SymbolFeed } from "./symbol-feed.js";

type Live = {
  readonly feed: SymbolFeed;
  readonly pacer: Pacer;
  /** Book subscribers grouped by depth: one frame is rendered per depth and shared. */
  readonly groups: Map<number, Set<Subscriber>>;
  readonly trades: Set<Subscriber>;
  readonly tickers: Map<Subscriber, TickerTrigger>;
  /** Messages a second: `--rate` × the pair's rate factor. */
  readonly rate: number;
  /** performance.now() time of the next message. */
  nextAt: number;
};

/** Most messages one symbol may emit in a single timer turn, so a huge --rate cannot starve the socket. */
const MAX_STEPS_PER_TURN = 2000;
/** Falling further behind than this resets the schedule instead of catching up in a flood. */
const MAX_LAG_MS = 1000;

const active = (live: Live): boolean => live.groups.size > 0 || live.trades.size > 0 || live.tickers.size > 0;

/**
 * Which taker orders a pair takes: none while the system or the pair is not open for trading
 * (maintenance, cancel_only, post_only, delisted…), limit orders only when `limit_only`.
 */
export function tradingFor(system: string, pair: string): Trading {
  if (system !== "online") return "none";
  if (pair === "online" || pair === "reduce_only") return "all";
  return pair === "limit_only" ? "limit" : "none";
}

/**
 * The live driver of the market model: each catalogue pair's market moves only while someone
 * is subscribed to it (book, trade or ticker), at `rate` messages a second on average (with quiet
 * spells and bursts); every subscriber gets the frames of its channel (and depth). One timer serves
 * all symbols. Market faults (pair and system status, trade id skips and repeats) fire at their
 * times from the source's creation.
 */
export class DemoSource implements BookSource {
  private readonly lives = new Map<string, Live>();
  private readonly pairStatus = new Map<string, string>();
  private system = "online";
  private readonly instruments = new Set<Subscriber>();
  private readonly statusWatchers = new Set<(system: string) => void>();
  private readonly faultTimers: NodeJS.Timeout[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly bySymbol: ReadonlyMap<string, Pair>;

  constructor(
    private readonly rate: number,
    private readonly seed: number,
    faults: FaultOptions = {},
    /** The pairs served: the built-in catalogue, or it and synthetic ones (see catalogueWith). */
    private readonly pairs: readonly Pair[] = CATALOGUE,
  ) {
    this.bySymbol = new Map(pairs.map((p) => [p.symbol, p]));
    for (const p of pairs)
      if (p.status !== undefined && p.status !== "online") this.pairStatus.set(p.symbol, p.status);
    const at = (ms: number, fn: () => void): void => {
      this.faultTimers.push(setTimeout(fn, ms));
    };
    for (const f of faults.pairStatus ?? []) at(f.atMs, () => this.setPairStatus(f.symbol, f.status));
    for (const f of faults.systemStatus ?? []) at(f.atMs, () => this.setSystemStatus(f.status));
    for (const f of faults.skipTradeId ?? []) at(f.atMs, () => this.live(f.symbol)?.feed.tape.skipNextId());
    for (const f of faults.repeatTradeId ?? [])
      at(f.atMs, () => this.live(f.symbol)?.feed.tape.repeatNextId());
  }

  has(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  servedDepth(_symbol: string, requested: number): number {
    return requested;
  }

  subscribe(symbol: string, depth: number, snapshot: boolean, subscriber: Subscriber): () => void {
    const live = this.live(symbol);
    if (live === undefined) return () => undefined;
    const wasIdle = !active(live);
    let group = live.groups.get(depth);
    if (group === undefined) live.groups.set(depth, (group = new Set()));
    group.add(subscriber);
    if (snapshot) subscriber.send(live.feed.snapshot(depth), symbol);
    if (wasIdle) this.wake(live);
    return () => {
      group.delete(subscriber);
      if (group.size === 0 && live.groups.get(depth) === group) live.groups.delete(depth);
    };
  }

  subscribeTrades(symbol: string, snapshot: boolean, subscriber: Subscriber): () => void {
    const live = this.live(symbol);
    if (live === undefined) return () => undefined;
    const wasIdle = !active(live);
    live.trades.add(subscriber);
    if (snapshot) subscriber.send(live.feed.tradeSnapshot());
    if (wasIdle) this.wake(live);
    return () => void live.trades.delete(subscriber);
  }

  subscribeTicker(
    symbol: string,
    snapshot: boolean,
    trigger: TickerTrigger,
    subscriber: Subscriber,
  ): () => void {
    const live = this.live(symbol);
    if (live === undefined) return () => undefined;
    const wasIdle = !active(live);
    live.tickers.set(subscriber, trigger);
    if (snapshot) subscriber.send(live.feed.tickerFrame("snapshot"));
    if (wasIdle) this.wake(live);
    return () => void live.tickers.delete(subscriber);
  }

  subscribeInstrument(snapshot: boolean, subscriber: Subscriber): () => void {
    this.instruments.add(subscriber);
    if (snapshot) subscriber.send(instrumentFrame(this.pairs, (s) => this.pairStatus.get(s) ?? "online"));
    return () => void this.instruments.delete(subscriber);
  }

  watchStatus(onStatus: (system: string) => void): () => void {
    this.statusWatchers.add(onStatus);
    onStatus(this.system);
    return () => void this.statusWatchers.delete(onStatus);
  }

  close(): void {
    this.closed = true;
    for (const t of this.faultTimers) clearTimeout(t);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private setPairStatus(symbol: string, status: string): void {
    const pair = this.bySymbol.get(symbol);
    if (pair === undefined || this.closed) return;
    this.pairStatus.set(symbol, status);
    const live = this.live(symbol);
    if (live !== undefined) live.feed.market.trading = tradingFor(this.system, status);
    const frame = instrumentUpdateFrame(pair, status);
    for (const s of this.instruments) s.send(frame);
  }

  private setSystemStatus(status: string): void {
    if (this.closed || status === this.system) return;
    this.system = status;
    for (const live of this.lives.values()) {
      live.feed.market.trading = tradingFor(status, this.pairStatus.get(live.feed.symbol) ?? "online");
    }
    for (const w of [...this.statusWatchers]) w(status);
  }

  private wake(live: Live): void {
    live.nextAt = performance.now() + live.pacer.next(live.rate) * 1000;
    this.schedule();
  }

  private live(symbol: string): Live | undefined {
    let live = this.lives.get(symbol);
    if (live === undefined) {
      const pair = this.bySymbol.get(symbol);
      if (pair === undefined) return undefined;
      live = {
        feed: new SymbolFeed(pair, this.seed, nowMicros()),
        pacer: new Pacer(new Random(deriveSeed(this.seed, symbol + "#pace"))),
        groups: new Map(),
        trades: new Set(),
        tickers: new Map(),
        rate: this.rate * (pair.rateFactor ?? 1),
        nextAt: 0,
      };
      live.feed.market.trading = tradingFor(this.system, this.pairStatus.get(symbol) ?? "online");
      this.lives.set(symbol, live);
    }
    return live;
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const now = performance.now();
    // One pass over the pairs both emits what is due and finds the next due time (hundreds of pairs).
    let next = Infinity;
    for (const live of this.lives.values()) {
      if (!active(live)) continue;
      if (now - live.nextAt > MAX_LAG_MS) live.nextAt = now;
      for (let steps = 0; live.nextAt <= now && steps < MAX_STEPS_PER_TURN && active(live); steps++) {
        this.emit(live);
        live.nextAt += live.pacer.next(live.rate) * 1000;
      }
      if (active(live) && live.nextAt < next) next = live.nextAt;
    }
    this.scheduleAt(next);
  };

  /** One market message: book updates per depth, then its trades, then tickers that trigger on it. */
  private emit(live: Live): void {
    const depths = [...live.groups.keys()];
    const out = live.feed.step(depths, nowMicros());
    const symbol = live.feed.symbol;
    for (let i = 0; i < depths.length; i++) {
      const frame = out.books[i];
      const group = live.groups.get(depths[i]!);
      if (frame === undefined || group === undefined) continue;
      for (const subscriber of group) subscriber.send(frame, symbol);
    }
    if (out.trade !== undefined) for (const subscriber of live.trades) subscriber.send(out.trade);
    if (live.tickers.size === 0 || (out.trade === undefined && !out.bboChanged)) return;
    const ticker = live.feed.tickerFrame("update");
    for (const [subscriber, trigger] of live.tickers) {
      if (trigger === "trades" ? out.trade !== undefined : out.bboChanged) subscriber.send(ticker);
    }
  }

  private schedule(): void {
    let next = Infinity;
    for (const live of this.lives.values()) if (active(live) && live.nextAt < next) next = live.nextAt;
    this.scheduleAt(next);
  }

  private scheduleAt(next: number): void {
    if (this.closed || next === Infinity) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // The tick emits only what is due: a wait longer than a timer holds (a tiny --rate) is waited in parts.
    this.timer = setTimeout(this.tick, timerDelay(next - performance.now()));
  }
}
