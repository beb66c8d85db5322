import { describe, expect, it } from "vitest";
import { TradeSequence } from "../../src/feed/trade-sequence.js";
import type { Trade } from "../../src/protocol/types.js";

const t = (tradeId: number): Trade => ({
  symbol: "BTC/USD",
  side: "buy",
  price: "1.0",
  qty: "1.0",
  ordType: "limit",
  tradeId,
  timestamp: "2026-08-02T03:35:51Z",
});
const ids = (trades: readonly Trade[]): number[] => trades.map((x) => x.tradeId);

describe("TradeSequence: trade-id continuity of one pair", () => {
  it("takes consecutive ids; a jump in an update is one gap, renewal asked, the rest of the update dropped", () => {
    const s = new TradeSequence();
    expect(ids(s.take([t(10), t(11)], true).fresh)).toEqual([10, 11]);
    const v = s.take([t(13), t(14)], false);
    expect(v).toEqual({ fresh: [], gaps: [{ expected: 12, got: 13 }], resubscribe: true });
    // The old subscription's tail while the snapshot is on its way: dropped, no second gap.
    expect(s.take([t(15)], false)).toEqual({ fresh: [], gaps: [], resubscribe: false });
    // The snapshot fills in from 12, skipping what was seen.
    expect(ids(s.take([t(9), t(10), t(11), t(12), t(13), t(14), t(15)], true).fresh)).toEqual([
      12, 13, 14, 15,
    ]);
    expect(s.gaps).toBe(1);
  });

  it("a hole in the exchange's own tape is one gap: the renewal's snapshot showing it again is not a second", () => {
    const s = new TradeSequence();
    s.take([t(10), t(11)], true);
    expect(s.take([t(13)], false).gaps).toEqual([{ expected: 12, got: 13 }]);
    // Trade 12 never existed: the snapshot has the same hole. Taken, not reported again.
    const v = s.take([t(9), t(10), t(11), t(13), t(14)], true);
    expect(v.gaps).toEqual([]);
    expect(ids(v.fresh)).toEqual([13, 14]);
    expect(s.gaps).toBe(1);
    // A later hole is a gap of its own.
    expect(s.take([t(16)], false).gaps).toEqual([{ expected: 15, got: 16 }]);
  });

  it("without renewals (verify), reads on after a gap: a jump from the id that came, a repeat not taken twice", () => {
    const s = new TradeSequence({ renews: false });
    s.take([t(10), t(11)], true);
    expect(s.take([t(13), t(14)], false)).toEqual({
      fresh: [t(13), t(14)],
      gaps: [{ expected: 12, got: 13 }],
      resubscribe: false,
    });
    expect(s.take([t(14), t(15), t(17)], false)).toEqual({
      fresh: [t(15), t(17)],
      gaps: [
        { expected: 15, got: 14 },
        { expected: 16, got: 17 },
      ],
      resubscribe: false,
    });
    // A snapshot after them shows nothing new and no gap: what it repeats was read.
    expect(s.take([t(16), t(17)], true)).toEqual({ fresh: [], gaps: [], resubscribe: false });
    expect(s.gaps).toBe(3);
  });

  it("without renewals, one misnumbered trade is two gaps, not one for every trade after it", () => {
    const s = new TradeSequence({ renews: false });
    s.take([t(10), t(11)], true);
    expect(s.take([t(1012)], false).gaps).toEqual([{ expected: 12, got: 1012 }]);
    // 13 goes back: a repeat, or the ids going on from there. The next trade says which.
    expect(s.take([t(13)], false)).toEqual({
      fresh: [],
      gaps: [{ expected: 1013, got: 13 }],
      resubscribe: false,
    });
    expect(ids(s.take([t(14), t(15)], false).fresh)).toEqual([13, 14, 15]);
    expect(s.take([t(16)], false)).toEqual({ fresh: [t(16)], gaps: [], resubscribe: false });
    expect(s.gaps).toBe(2);
  });

  it("a repeat is a gap too", () => {
    const s = new TradeSequence();
    s.take([t(1)], true);
    expect(s.take([t(1)], false).gaps).toEqual([{ expected: 2, got: 1 }]);
  });

  it("a snapshot starting beyond last + 1 is a gap that asks no renewal", () => {
    const s = new TradeSequence();
    s.take([t(1), t(2)], true);
    expect(s.take([t(9), t(10)], true)).toEqual({
      fresh: [t(9), t(10)],
      gaps: [{ expected: 3, got: 9 }],
      resubscribe: false,
    });
  });

  it("an empty snapshot: the first update starts the sequence; restart forgets the last id", () => {
    const s = new TradeSequence();
    expect(s.take([], true).fresh).toEqual([]);
    expect(ids(s.take([t(5), t(6)], false).fresh)).toEqual([5, 6]);
    s.restart();
    expect(s.take([t(50)], false)).toEqual({ fresh: [t(50)], gaps: [], resubscribe: false });
  });

  it("ids that start again (a restarted server): one gap, then the sequence continues from the snapshot", () => {
    const s = new TradeSequence();
    s.take([t(500), t(501)], true);
    // After a reconnect, the new server's snapshot is all below the last id seen: not seen, but new.
    s.expectSnapshot();
    expect(s.take([t(7), t(8)], true)).toEqual({
      fresh: [t(7), t(8)],
      gaps: [{ expected: 502, got: 7 }],
      resubscribe: false,
    });
    expect(s.take([t(9), t(10)], false)).toEqual({ fresh: [t(9), t(10)], gaps: [], resubscribe: false });
    expect(s.gaps).toBe(1);
    // Seen first in an update: that is the one gap, the renewal's snapshot starts the sequence again.
    s.take([t(3)], false);
    expect(s.gaps).toBe(2);
    expect(s.take([t(1), t(2), t(3)], true)).toEqual({
      fresh: [t(1), t(2), t(3)],
      gaps: [],
      resubscribe: false,
    });
    expect(s.take([t(4)], false).gaps).toEqual([]);
    expect(s.gaps).toBe(2);
    // A snapshot with nothing newer than the last id (no trade since) is not a restart.
    expect(s.take([t(3), t(4)], true)).toEqual({ fresh: [], gaps: [], resubscribe: false });
  });
});
