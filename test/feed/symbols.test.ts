import { describe, expect, it } from "vitest";
import { normaliseSymbols, SymbolError } from "../../src/feed/symbols.js";

describe("symbol checks before connecting", () => {
  it("defaults to BTC/USD", () => {
    expect(normaliseSymbols([])).toEqual({ symbols: ["BTC/USD"], notices: [] });
  });

  it("upper-cases, keeps command-line order and drops duplicates", () => {
    expect(normaliseSymbols(["eth/usd", "BTC/USD", "Eth/Usd", "mina/gbp"]).symbols).toEqual([
      "ETH/USD",
      "BTC/USD",
      "MINA/GBP",
    ]);
  });

  it("maps the legacy names XBT and XDG to BTC and DOGE with a notice", () => {
    const r = normaliseSymbols(["xbt/usd", "XDG/EUR", "ETH/XBT", "BTC/USD"]);
    expect(r.symbols).toEqual(["BTC/USD", "DOGE/EUR", "ETH/BTC"]);
    expect(r.notices).toEqual([
      "xbt/usd is a legacy name; using BTC/USD.",
      "XDG/EUR is a legacy name; using DOGE/EUR.",
      "ETH/XBT is a legacy name; using ETH/BTC.",
    ]);
  });

  it.each(["BTCUSD", "BTC/", "/USD", "BTC/USD/EUR", "BTC-USD", "BT C/USD", "", "BTC/U$D"])(
    "rejects %j with a clear error",
    (bad) => {
      expect(() => normaliseSymbols(["ETH/USD", bad])).toThrow(SymbolError);
      expect(() => normaliseSymbols([bad])).toThrow(/expected BASE\/QUOTE, e\.g\. BTC\/USD/);
    },
  );

  it.each([
    ["BTC-USD", "BTC/USD"],
    ["eth_eur", "ETH/EUR"],
    ["BTC:USDT", "BTC/USDT"],
    ["btcusd", "BTC/USD"],
    ["XBTUSD", "BTC/USD"],
    ["SOLUSDC", "SOL/USDC"],
    ["ETHXBT", "ETH/BTC"],
  ])("suggests what %j probably meant", (bad, guess) => {
    expect(() => normaliseSymbols([bad])).toThrow(`; did you mean ${guess}?`);
  });

  it.each([
    ["BTC/USD,ETH/USD", "it holds 2 pairs: give each on its own, BTC/USD ETH/USD"],
    ["BTC/USD ETH/USD", "it holds 2 pairs: give each on its own, BTC/USD ETH/USD"],
    ["xbt/usd, eth-eur;SOLUSD", "it holds 3 pairs: give each on its own, BTC/USD ETH/EUR SOL/USD"],
  ])("says %j is a list pasted as one", (bad, said) => {
    expect(() => normaliseSymbols([bad])).toThrow(`(letters and digits only); ${said}`);
  });

  it.each([
    ["ABCDEFGHIJKLMNOPQ/USD", "; ABCDEFGHIJKLMNOPQ has 17, and an asset's name at most 16."],
    ["btc/usdusdusdusdusdusd", "; USDUSDUSDUSDUSDUSD has 18, and an asset's name at most 16."],
  ])("says which asset of %j is too long", (bad, said) => {
    expect(() => normaliseSymbols([bad])).toThrow(`(letters and digits only)${said}`);
  });

  it.each(["BTC", "USD", "BTC/", "BTC/USD/EUR", "BTC-US$", "", "B-T-C", "BTC/USD,FOO"])(
    "suggests nothing for %j",
    (bad) => {
      expect(() => normaliseSymbols([bad])).toThrow(/\(letters and digits only\)\.$/);
    },
  );
});
