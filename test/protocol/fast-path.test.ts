import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseFrame } from "../../src/protocol/parse.js";
import type { BookData, BookMessage, ParseResult } from "../../src/protocol/types.js";
import { spaceOut } from "./json-text.js";

/** A plain non-negative decimal as Kraken writes it: `0`, `63005.0`, `0.00000051`, `5220.00000000`. */
const decimalText = fc
  .tuple(
    fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9][0-9]{0,7}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,10}$/), { nil: undefined }),
  )
  .map(([int, frac]) => (frac === undefined ? int : `${int}.${frac}`));

const level = fc.record({ price: decimalText, qty: decimalText });

const symbol = fc.oneof(
  fc.constantFrom("BTC/USD", "ETH/USD", "MINA/GBP", "€/ÄÖ", "A"),
  fc.stringMatching(/^[A-Z]{1,5}\/[A-Z]{1,4}$/),
);

const entry: fc.Arbitrary<BookData> = fc
  .record({
    symbol,
    bids: fc.array(level, { maxLength: 6 }),
    asks: fc.array(level, { maxLength: 6 }),
    checksum: fc.nat({ max: 0xffffffff }),
    timestamp: fc.option(fc.constantFrom("2026-08-01T02:53:53.398143Z", ""), { nil: undefined }),
  })
  .map(({ timestamp, ...rest }) => (timestamp === undefined ? rest : { ...rest, timestamp }));

const message: fc.Arbitrary<BookMessage> = fc.record({
  kind: fc.constant("book" as const),
  type: fc.constantFrom("snapshot" as const, "update" as const),
  data: fc.array(entry, { minLength: 1, maxLength: 3 }),
});

/** Writes a book message exactly in Kraken's layout, numbers bare, in Kraken's key order. */
function krakenText(m: BookMessage): string {
  const levels = (ls: readonly { price: string; qty: string }[]): string =>
    ls.map((l) => `{"price":${l.price},"qty":${l.qty}}`).join(",");
  const entries = m.data.map(
    (d) =>
      `{"symbol":${JSON.stringify(d.symbol)},"bids":[${levels(d.bids)}],"asks":[${levels(d.asks)}],` +
      `"checksum":${d.checksum}${d.timestamp === undefined ? "" : `,"timestamp":${JSON.stringify(d.timestamp)}`}}`,
  );
  return `{"channel":"book","type":"${m.type}","data":[${entries.join(",")}]}`;
}

/** What must agree between two parses of the same frame, the raw text aside. */
function comparable(r: ParseResult): unknown {
  if (r.kind === "error") return { kind: "error", symbols: r.symbols ?? [] };
  if (r.kind === "unknown") return { kind: "unknown" };
  return r;
}

const MUTATION_CHARS = [
  '"',
  ",",
  "]",
  "[",
  "}",
  "{",
  ":",
  "0",
  "1",
  "-",
  "e",
  "E",
  ".",
  " ",
  "\\",
  "\u0001",
  "x",
];

describe("book frame fast path", () => {
  it("parses Kraken-layout frames to exactly the message written, with exact number text", () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(parseFrame(krakenText(m))).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the generic path on the same frame spread with whitespace", () => {
    fc.assert(
      fc.property(message, (m) => {
        const text = krakenText(m);
        expect(parseFrame(spaceOut(text))).toEqual(parseFrame(text));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the generic path on corrupted frames: accepts the same, rejects the same", () => {
    const mutation = fc.record({
      at: fc.nat(),
      op: fc.constantFrom("delete", "insert", "replace"),
      char: fc.constantFrom(...MUTATION_CHARS),
    });
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, mutations) => {
        let text = krakenText(m);
        for (const { at, op, char } of mutations) {
          const i = at % (text.length + 1);
          const rest = op === "insert" ? text.slice(i) : text.slice(i + 1);
          text = text.slice(0, i) + (op === "delete" ? "" : char) + rest;
        }
        // A leading space keeps the value but forces the generic parser.
        const fast = parseFrame(text);
        const generic = parseFrame(" " + text);
        expect(comparable(fast)).toEqual(comparable(generic));
        if (fast.kind === "error" || fast.kind === "unknown") expect(fast.raw).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });

  it("rejects what the generic path rejects in the fast layout: empty symbol, long numbers, leading zeros", () => {
    const frame = (sym: string, price: string, checksum: string): string =>
      `{"channel":"book","type":"update","data":[{"symbol":"${sym}","bids":[{"price":${price},"qty":1.0}],"asks":[],"checksum":${checksum}}]}`;
    const cases = [
      frame("", "1.0", "1"),
      frame("A", "1." + "0".repeat(31), "1"),
      frame("A", "01.0", "1"),
      frame("A", "1.0", "01"),
      frame("A", "1.0", "4294967296"),
      frame("A", "1.", "1"),
      frame("A", ".5", "1"),
    ];
    for (const raw of cases) {
      expect(parseFrame(raw).kind, raw).toBe("error");
      expect(comparable(parseFrame(raw))).toEqual(comparable(parseFrame(" " + raw)));
    }
    // The longest accepted number is 32 characters, on both paths.
    const longest = frame("A", "1." + "0".repeat(30), "4294967295");
    expect(parseFrame(longest)).toEqual(parseFrame(" " + longest));
    expect(parseFrame(longest).kind).toBe("book");
  });
});
