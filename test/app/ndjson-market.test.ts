import { describe, expect, it } from "vitest";
import { NdjsonWriter } from "../../src/app/ndjson.js";

describe("NDJSON lines of trade, trade-gap, ticker, instrument and status", () => {
  it("writes every one as a line in the documented key order, numbers as exact strings", () => {
    const lines: string[] = [];
    const w = new NdjsonWriter(
      (text) => lines.push(...text.split("\n")),
      () => undefined,
    );
    w.event({
      type: "trade",
      symbol: "BTC/USD",
      side: "buy",
      price: "63388.80",
      qty: "0.00165000",
      ordType: "market",
      tradeId: 81512239,
      time: "2026-08-02T03:35:51.123456Z",
    });
    w.event({
      type: "trade",
      symbol: "BTC/USD",
      side: "sell",
      price: "63388.7",
      qty: "1e-05",
      ordType: "limit",
      tradeId: 81512240,
      time: "2026-08-02T03:35:51.2Z",
    });
    w.event({ type: "trade-gap", symbol: "BTC/USD", expected: 81512241, got: 81512243 });
    w.event({
      type: "ticker",
      symbol: "BTC/USD",
      bid: "63388.7",
      bidQty: "0.25",
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
    });
    w.event({ type: "ticker", symbol: "ETH/USD", bid: "3000.01", ask: "3000.02" });
    w.event({
      type: "instrument",
      pairs: [
        {
          symbol: "BTC/USD",
          status: "online",
          pricePrecision: 1,
          qtyPrecision: 8,
          priceIncrement: "0.1",
          qtyIncrement: "1e-08",
          qtyMin: "5e-05",
          costMin: "0.5",
        },
        {
          symbol: "ETH/USD",
          status: "post_only",
          pricePrecision: 2,
          qtyPrecision: 8,
          priceIncrement: "0.01",
          qtyIncrement: "1e-08",
          qtyMin: "",
        },
      ],
    });
    w.event({ type: "status", system: "maintenance", apiVersion: "v2", version: "2.0.10" });
    w.event({ type: "status", system: "online" });
    expect(lines).toEqual([
      '{"type":"trade","symbol":"BTC/USD","side":"buy","price":"63388.80","qty":"0.00165000","ordType":"market","tradeId":81512239,"time":"2026-08-02T03:35:51.123456Z"}',
      '{"type":"trade","symbol":"BTC/USD","side":"sell","price":"63388.7","qty":"1e-05","ordType":"limit","tradeId":81512240,"time":"2026-08-02T03:35:51.2Z"}',
      '{"type":"trade-gap","symbol":"BTC/USD","expected":81512241,"got":81512243}',
      '{"type":"ticker","symbol":"BTC/USD","last":"63388.8","change":"-1201.3","changePct":"-1.93","high":"63999.9","low":"62011.0","volume":"1523.90000000","vwap":"63011.2","bid":"63388.7","ask":"63388.8","time":"2026-08-02T03:35:51Z"}',
      '{"type":"ticker","symbol":"ETH/USD","bid":"3000.01","ask":"3000.02"}',
      '{"type":"instrument","symbol":"BTC/USD","status":"online","priceIncrement":"0.1","qtyIncrement":"1e-08","pricePrecision":1,"qtyPrecision":8,"qtyMin":"5e-05","costMin":"0.5"}',
      '{"type":"instrument","symbol":"ETH/USD","status":"post_only","priceIncrement":"0.01","qtyIncrement":"1e-08","pricePrecision":2,"qtyPrecision":8}',
      '{"type":"status","system":"maintenance","apiVersion":"v2"}',
      '{"type":"status","system":"online"}',
    ]);
  });

  it("escapes hostile server text in these lines like in every other", () => {
    const lines: string[] = [];
    const w = new NdjsonWriter(
      (l) => lines.push(l),
      () => undefined,
    );
    w.event({ type: "status", system: "on\u009bline\u202e" });
    expect(lines[0]).not.toMatch(/[\u0080-\u009f\u202e]/);
  });
});
