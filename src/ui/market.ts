import type { FeedEvent, PairView, TickerView, TradeView } from "../feed/types.js";
import type { TapeEntry } from "./view-model/tape.js";
import type { VapTotals } from "./view-model/vap.js";
import { toVapTrade, VapWindow } from "./view-model/vap.js";

/** Most tape entries (trades and gap marks) kept per symbol: more than any pane shows. */
export const TAPE_LIMIT = 500;

/** What the ladder knows of one symbol's market besides its book, as the screen builder reads it. */
export type SymbolMarket = {
  /** Newest last, at most TAPE_LIMIT. */
  readonly tape: readonly TapeEntry[];
  readonly lastTrade: TradeView | undefined;
  readonly ticker: TickerView | undefined;
  readonly pair: PairView | undefined;
  /** Buy and sell volume by price (VAP_SCALE) over the window (pruned to the window at each read). */
  readonly vap: ReadonlyMap<bigint, VapTotals>;
  /** Epoch ms (receive clock) of each trade-id break heard, oldest first. */
  readonly gapTimes: readonly number[];
  /** Epoch ms the first trade of this symbol was heard: the volume column counts from here. */
  readonly since: number | undefined;
};

/** What an event changed: a symbol's context, or the system status (with the value before). */
export type MarketChange =
  { readonly kind: "market" } | { readonly kind: "system"; readonly previous: string | undefined };

class SymbolState implements SymbolMarket {
  tape: TapeEntry[] = [];
  lastTrade: TradeView | undefined;
  ticker: TickerView | undefined;
  pair: PairView | undefined;
  readonly window: VapWindow;
  constructor(windowMs: number) {
    this.window = new VapWindow(windowMs);
  }
  get vap(): ReadonlyMap<bigint, VapTotals> {
    return this.window.totals;
  }
  gapTimes: number[] = [];
  since: number | undefined;
}

/**
 * The market context of every symbol on the main thread, fed from the worker's events (trade, trade-gap,
 * ticker, instrument, status): bounded tapes, the last trade, the ticker, the instrument, the trades of the
 * volume window, trade-id breaks, and the exchange's system status. Applying an event is cheap (trades come
 * at wire rate); the screen reads it at frame rate.
 */
export class MarketContext {
  readonly #symbols = new Map<string, SymbolState>();
  readonly #windowMs: number;
  #system: string | undefined;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** The exchange's system status, once heard. */
  get system(): string | undefined {
    return this.#system;
  }

  /**
   * Takes an event; returns what it changed: `"market"` for a symbol's context, `"system"` for the
   * system status (with the previous value), or undefined for events it does not keep.
   */
  apply(event: FeedEvent, now: number): MarketChange | undefined {
    switch (event.type) {
      case "trade": {
        const s = this.#state(event.symbol);
        const trade: TradeView = {
          symbol: event.symbol,
          side: event.side,
          price: event.price,
          qty: event.qty,
          ordType: event.ordType,
          tradeId: event.tradeId,
          time: event.time,
        };
        s.since ??= now;
        s.lastTrade = trade;
        push(s.tape, { kind: "trade", trade });
        const v = toVapTrade(trade, now);
        if (v !== undefined) s.window.add(v);
        this.#prune(s, now);
        return { kind: "market" };
      }
      case "trade-gap": {
        const s = this.#state(event.symbol);
        push(s.tape, { kind: "gap", expected: event.expected, got: event.got });
        s.gapTimes.push(now);
        return { kind: "market" };
      }
      case "ticker": {
        const { type: _type, ...ticker } = event;
        this.#state(event.symbol).ticker = ticker;
        return { kind: "market" };
      }
      case "instrument":
        for (const pair of event.pairs) this.#state(pair.symbol).pair = pair;
        return { kind: "market" };
      case "status": {
        const previous = this.#system;
        if (previous === event.system) return undefined;
        this.#system = event.system;
        return { kind: "system", previous };
      }
      default:
        return undefined;
    }
  }

  /** The symbol's context now (its volume window pruned to `now`), or undefined if nothing was heard. */
  of(symbol: string | undefined, now: number): SymbolMarket | undefined {
    if (symbol === undefined) return undefined;
    const s = this.#symbols.get(symbol);
    if (s === undefined) return undefined;
    this.#prune(s, now);
    return s;
  }

  #state(symbol: string): SymbolState {
    let s = this.#symbols.get(symbol);
    if (s === undefined) {
      s = new SymbolState(this.#windowMs);
      this.#symbols.set(symbol, s);
    }
    return s;
  }

  #prune(s: SymbolState, now: number): void {
    s.window.expire(now);
    const from = now - this.#windowMs;
    let drop = 0;
    while (drop < s.gapTimes.length && (s.gapTimes[drop] as number) < from) drop++;
    if (drop > 0) s.gapTimes.splice(0, drop);
  }
}

function push(tape: TapeEntry[], entry: TapeEntry): void {
  tape.push(entry);
  // Dropped in batches: one splice per 50 entries instead of a shift per trade.
  if (tape.length > TAPE_LIMIT + 50) tape.splice(0, tape.length - TAPE_LIMIT);
}
