import { describe, expect, it } from "vitest";
import { parseFrame } from "../../src/protocol/parse.js";
import type { ParseResult } from "../../src/protocol/types.js";

function malformed(raw: string): Extract<ParseResult, { kind: "error" }> {
  const r = parseFrame(raw);
  if (r.kind !== "error") throw new Error(`expected an error for ${raw}, got ${JSON.stringify(r)}`);
  return r;
}

describe("parseFrame: trade, ticker, instrument", () => {
  it("reads a trade frame with prices and sizes as their exact wire text, ignoring extra fields", () => {
    const raw =
      '{"channel":"trade","type":"update","data":[' +
      '{"symbol":"BTC/USD","side":"buy","price":63388.80,"qty":0.00165000,"ord_type":"market",' +
      '"trade_id":81512239,"timestamp":"2026-08-02T03:35:51.123456Z","extra":[1,2]},' +
      '{"symbol":"BTC/USD","side":"sell","price":"63388.7","qty":1e-05,"ord_type":"limit",' +
      '"trade_id":81512240,"timestamp":"2026-08-02T03:35:51.2Z"}]}';
    expect(parseFrame(raw)).toEqual({
      kind: "trade",
      type: "update",
      trades: [
        {
          symbol: "BTC/USD",
          side: "buy",
          price: "63388.80",
          qty: "0.00165000",
          ordType: "market",
          tradeId: 81512239,
          timestamp: "2026-08-02T03:35:51.123456Z",
        },
        {
          symbol: "BTC/USD",
          side: "sell",
          price: "63388.7",
          qty: "1e-05",
          ordType: "limit",
          tradeId: 81512240,
          timestamp: "2026-08-02T03:35:51.2Z",
        },
      ],
    });
  });

  it("reads a ticker with every figure as exact text and leaves out what was not sent", () => {
    const raw =
      '{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":63388.7,"bid_qty":0.25000000,' +
      '"ask":63388.8,"ask_qty":0.34,"last":63388.8,"volume":1523.90000000,"vwap":63011.2,"low":62011.0,' +
      '"high":63999.9,"change":-1201.3,"change_pct":-1.93,"timestamp":"2026-08-02T03:35:51Z","new_field":"x"},' +
      '{"symbol":"ETH/USD","bid":3000.01,"ask":3000.02}]}';
    expect(parseFrame(raw)).toEqual({
      kind: "ticker",
      type: "snapshot",
      tickers: [
        {
          symbol: "BTC/USD",
          bid: "63388.7",
          bidQty: "0.25000000",
          ask: "63388.8",
          askQty: "0.34",
          last: "63388.8",
          volume: "1523.90000000",
          vwap: "63011.2",
          low: "62011.0",
          high: "63999.9",
          change: "-1201.3",
          changePct: "-1.93",
          timestamp: "2026-08-02T03:35:51Z",
        },
        { symbol: "ETH/USD", bid: "3000.01", ask: "3000.02" },
      ],
    });
  });

  it("reads an instrument pair's status, increments, precisions and minimums, exponents kept", () => {
    const raw =
      '{"channel":"instrument","type":"update","data":{"assets":[],"pairs":[{"symbol":"BTC/USD","base":"BTC",' +
      '"quote":"USD","status":"post_only","qty_precision":8,"qty_increment":1e-08,"price_precision":1,' +
      '"cost_precision":5,"cost_min":0.5,"tick_size":0.1,"price_increment":0.1,"qty_min":5e-05,"marginable":true}]}}';
    expect(parseFrame(raw)).toEqual({
      kind: "instrument",
      type: "update",
      pairs: [
        {
          symbol: "BTC/USD",
          status: "post_only",
          pricePrecision: 1,
          qtyPrecision: 8,
          priceIncrement: "0.1",
          qtyIncrement: "1e-08",
          qtyMin: "5e-05",
          costMin: "0.5",
        },
      ],
    });
  });

  it("reports broken channel frames as malformed, never as book data, and never throws", () => {
    const cases: [string, RegExp][] = [
      ['{"channel":"trade","type":"update","data":{}}', /trade frame: data is not an array/],
      ['{"channel":"trade","type":"weird","data":[]}', /trade frame: bad type/],
      [
        '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":1,"qty":1,"ord_type":"limit","timestamp":"t"}]}',
        /trade_id/,
      ],
      [
        '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"up","price":1,"qty":1,"ord_type":"limit","trade_id":1,"timestamp":"t"}]}',
        /side/,
      ],
      [
        '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":"1x","qty":1,"ord_type":"limit","trade_id":1,"timestamp":"t"}]}',
        /price is not a number/,
      ],
      ['{"channel":"ticker","type":"update","data":[{"bid":1}]}', /symbol is missing/],
      ['{"channel":"ticker","type":"update","data":[{"symbol":"A/B","last":true}]}', /last/],
      ['{"channel":"instrument","type":"snapshot","data":[]}', /data is not an object/],
      [
        '{"channel":"instrument","type":"snapshot","data":{"pairs":[{"symbol":"A/B","status":"online"}]}}',
        /price_precision/,
      ],
    ];
    for (const [raw, message] of cases) {
      const r = malformed(raw);
      expect(r.message).toMatch(message);
      expect(r.book).toBe(false);
      expect(r.raw).toBe(raw);
    }
    expect(malformed('{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD"').book).toBe(false);
  });
});
