import { isBookDepth } from "../protocol/types.js";
import { findPair } from "./catalogue.js";
import { rfc3339Micros } from "./format.js";
import { ackFrame, statusFrame } from "./frames.js";
import { Pacer } from "./market.js";
import { Random, deriveSeed } from "./random.js";
import { SymbolFeed } from "./symbol-feed.js";

export type GenerateOptions = {
  readonly symbols: readonly string[];
  readonly depth: number;
  readonly seed: number;
  /** Update frames to produce (status, acks and snapshots come on top). */
  readonly messages: number;
  /** Average update messages per second per symbol, for the exchange timestamps (default 10). */
  readonly rate?: number;
  /** Exchange time of the first frame, microseconds since the epoch (default 2026-01-01T00:00:00Z). */
  readonly startMicros?: number;
  /**
   * How far each pair's mid drifts and comes back over the session, as a fraction of its price (0.01:
   * up 1% by the middle of the updates, back by the end; default 0, a mid pulled toward the pair's
   * price throughout). At depth 1000 levels then leave the range at one end and enter at the other,
   * and on the way back the same prices re-enter.
   */
  readonly drift?: number;
};

const DEFAULT_START = Date.UTC(2026, 0, 1) * 1000;

/**
 * A deterministic Kraken session as raw frames, exactly as Kraken would send them to one client
 * subscribed to `symbols` at `depth`: a status frame, one subscribe ack per symbol, one snapshot per
 * symbol, then `messages` update frames interleaved across the symbols by their exchange time.
 * Same market model as the live demo server (`SymbolFeed`), driven by a virtual clock.
 * Throws on a symbol not in the catalogue or a depth Kraken does not offer.
 */
export function* generateFrames(o: GenerateOptions): Generator<string> {
  if (!isBookDepth(o.depth)) throw new Error(`depth ${o.depth} is not one Kraken offers`);
  const rate = o.rate ?? 10;
  let now = o.startMicros ?? DEFAULT_START;
  const feeds = o.symbols.map((symbol) => {
    const pair = findPair(symbol);
    if (pair === undefined) throw new Error(`unknown symbol ${symbol}`);
    const pacer = new Pacer(new Random(deriveSeed(o.seed, symbol + "#pace")));
    return { feed: new SymbolFeed(pair, o.seed, now), pacer, at: now };
  });
  yield statusFrame(connectionId(o.seed));
  for (const { feed } of feeds) {
    const t = rfc3339Micros(now);
    yield ackFrame(
      "subscribe",
      1,
      { channel: "book", symbol: feed.symbol, depth: o.depth, snapshot: true },
      t,
      t,
    );
    now += 37;
  }
  for (const f of feeds) {
    yield f.feed.snapshot(o.depth);
    f.at = now + Math.round(f.pacer.next(rate) * 1e6);
  }
  const depths = [o.depth];
  const drift = o.drift ?? 0;
  let sent = 0;
  while (sent < o.messages && feeds.length > 0) {
    let next = feeds[0]!;
    for (const f of feeds) if (f.at < next.at) next = f;
    if (next.at <= now) next.at = now + 1;
    now = next.at;
    if (drift !== 0) {
      const market = next.feed.market;
      market.anchorTicks = Math.round(
        market.pair.midTicks * (1 + drift * Math.sin((Math.PI * sent) / o.messages)),
      );
    }
    const frame = next.feed.step(depths, now).books[0];
    next.at = now + Math.max(1, Math.round(next.pacer.next(rate) * 1e6));
    if (frame !== undefined) {
      yield frame;
      sent++;
    }
  }
}

/** A Kraken-like connection id: a 64-bit integer above 2^53, as text. */
export function connectionId(seed: number): string {
  const r = new Random(deriveSeed(seed, "#connection"));
  const hi = BigInt(0x200000 + r.int(0x7fe00000));
  return String((hi << 32n) + BigInt(r.int(0x100000000)));
}
