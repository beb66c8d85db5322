import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isZeroText, priceKey } from "../../src/book/price-key.js";
import { BookScan, LEVEL_STRIDE, QTY_NONZERO } from "../../src/protocol/book-scan.js";
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

/** Up to three single-character edits (delete, insert or replace, anywhere) drawing on `chars`. */
const mutations = (chars: readonly string[]) =>
  fc.array(
    fc.record({
      at: fc.nat(),
      op: fc.constantFrom("delete", "insert", "replace"),
      char: fc.constantFrom(...chars),
    }),
    { minLength: 1, maxLength: 3 },
  );
type Mutation = { at: number; op: "delete" | "insert" | "replace"; char: string };

/** `text` with the edits applied in order. */
function mutate(text: string, edits: readonly Mutation[]): string {
  for (const { at, op, char } of edits) {
    const i = at % (text.length + 1);
    const rest = op === "insert" ? text.slice(i) : text.slice(i + 1);
    text = text.slice(0, i) + (op === "delete" ? "" : char) + rest;
  }
  return text;
}

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
    fc.assert(
      fc.property(message, mutations(MUTATION_CHARS), (m, edits) => {
        const text = mutate(krakenText(m), edits);
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

describe("BookScan, the positions behind the fast path", () => {
  const ascii = (m: BookMessage): boolean => m.data.every((d) => /^[\x20-\x7e]*$/.test(d.symbol));

  it("reads every field of a Kraken-layout frame: exact text, price keys as priceKey, zero quantities", () => {
    const scan = new BookScan();
    fc.assert(
      fc.property(message, (m) => {
        const text = krakenText(m);
        // Non-ASCII frames are left to the generic parser (byte and string positions would differ).
        expect(scan.scan(text)).toBe(ascii(m));
        if (!ascii(m)) return;
        expect(scan.text).toBe(text);
        expect(scan.snapshot).toBe(m.type === "snapshot");
        expect(scan.entries).toBe(m.data.length);
        m.data.forEach((d, e) => {
          expect(scan.symbol(e)).toBe(d.symbol);
          expect(scan.checksum(e)).toBe(d.checksum);
          expect(scan.timestamp(e)).toBe(d.timestamp);
          const levels = [
            [scan.bidsFrom(e), scan.asksFrom(e), d.bids],
            [scan.asksFrom(e), scan.asksTo(e), d.asks],
          ] as const;
          for (const [from, to, wire] of levels) {
            expect(to - from).toBe(wire.length);
            wire.forEach((l, k) => {
              const i = from + k;
              expect(scan.price(i)).toBe(l.price);
              expect(scan.qty(i)).toBe(l.qty);
              expect(Object.is(scan.keys[i], priceKey(l.price))).toBe(true);
              expect(scan.levels[i * LEVEL_STRIDE + QTY_NONZERO] === 0).toBe(isZeroText(l.qty));
            });
          }
        });
        expect(scan.message()).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects every truncation of a frame it has just read (no stale bytes complete a literal)", () => {
    const scan = new BookScan();
    const full =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63004.8,"qty":0.00173277}],' +
      '"asks":[],"checksum":4105680038,"timestamp":"2026-01-01T00:00:00.278831Z"},{"symbol":"ETH/USD","bids":[],' +
      '"asks":[{"price":3000.10,"qty":1.5}],"checksum":0}]}';
    for (let cut = 0; cut < full.length; cut++) {
      expect(scan.scan(full), "full").toBe(true);
      expect(scan.scan(full.slice(0, cut)), full.slice(0, cut)).toBe(false);
      expect(scan.scan(full.slice(cut + 1)), full.slice(cut + 1)).toBe(false);
    }
  });

  it("reads symbols with any printable or non-printable ASCII the same as the generic path", () => {
    const frame = (symbol: string): string =>
      `{"channel":"book","type":"update","data":[{"symbol":"${symbol}","bids":[],"asks":[],"checksum":7}]}`;
    for (const symbol of ["A\u007fB", "X/Y", "X/Y", "€", "a b", "\\", '\\"', "\t"]) {
      const raw = frame(symbol);
      expect(comparable(parseFrame(raw)), raw).toEqual(comparable(parseFrame(" " + raw)));
    }
  });

  it("leaves every near miss of Kraken's layout to the generic parser, valid or not", () => {
    const scan = new BookScan();
    const good =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63004.8,"qty":0.5}],' +
      '"asks":[],"checksum":12,"timestamp":"2026-01-01T00:00:00.278831Z"}]}';
    expect(scan.scan(good)).toBe(true);
    const nearMisses: [string, string][] = [
      ["space after a colon", good.replace('"price":', '"price": ')],
      ["keys in another order", good.replace('{"price":63004.8,"qty":0.5}', '{"qty":0.5,"price":63004.8}')],
      ["an exponent", good.replace("63004.8", "6.30048e4")],
      ["an escaped symbol", good.replace("BTC/USD", "BTC\\/USD")],
      ["a negative qty", good.replace("0.5", "-0.5")],
      ["a leading zero", good.replace("63004.8", "063004.8")],
      ["an extra key", good.replace('"checksum":12', '"checksum":12,"sequence":3')],
      ["no timestamp body end", good.replace('.278831Z"}]}', ".278831Z}]}")],
      ["a trailing comma", good.replace("0.5}]", "0.5},]")],
      ["a string price", good.replace("63004.8", '"63004.8"')],
      ["a checksum above 2^32", good.replace('"checksum":12', '"checksum":4294967296')],
      ["a fraction in the checksum", good.replace('"checksum":12', '"checksum":12.0')],
      ["trailing whitespace", good + " "],
    ];
    for (const [what, raw] of nearMisses) {
      expect(raw, what).not.toBe(good);
      expect(scan.scan(raw), what).toBe(false);
      expect(scan.entries, what).toBe(0);
      expect(comparable(parseFrame(raw)), what).toEqual(comparable(parseFrame(" " + raw)));
    }
    // Some of them are valid JSON that the generic parser reads into the same message.
    expect(parseFrame(nearMisses[1]![1])).toEqual(parseFrame(good));
    expect(parseFrame(nearMisses[6]![1])).toEqual(parseFrame(good));
    expect(parseFrame(nearMisses[0]![1])).toEqual(parseFrame(good));
  });

  it("keys prices too long for the exact fast key as Number does", () => {
    const scan = new BookScan();
    for (const price of [
      "12345678901234567890.5",
      "9007199254740993",
      "0.00000000000000000001",
      "1.1" + "7".repeat(29),
    ]) {
      const text = `{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":${price},"qty":1}],"asks":[],"checksum":0}]}`;
      expect(scan.scan(text), price).toBe(true);
      expect(scan.price(0)).toBe(price);
      expect(scan.keys[0]).toBe(Number(price));
    }
  });

  it("holds nothing after a frame it rejects half-way, and grows for long frames", () => {
    const scan = new BookScan();
    const levels = (n: number): string =>
      Array.from({ length: n }, (_, i) => `{"price":${1000 + i}.5,"qty":0.00100000}`).join(",");
    const frame = (bids: string, tail = ""): string =>
      `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[${bids}],"asks":[],"checksum":1}]}${tail}`;
    const long = frame(levels(2000));
    expect(scan.scan(long)).toBe(true);
    expect(scan.asksFrom(0) - scan.bidsFrom(0)).toBe(2000);
    expect(scan.price(1999)).toBe("2999.5");
    expect(scan.scan(frame(levels(3), " "))).toBe(false);
    expect(scan.entries).toBe(0);
    expect(scan.text).toBe("");
    expect(scan.scan(frame(levels(3)))).toBe(true);
    expect(scan.entries).toBe(1);
    expect(scan.message().data[0]!.bids.map((l) => l.price)).toEqual(["1000.5", "1001.5", "1002.5"]);
  });
});

describe("BookScan.scanLine, the same scan in place over a file's bytes", () => {
  const JUNK = '"0}],\n{"channel":"book","type":"update"\r\n';
  const junk = (n: number): Buffer => Buffer.from(JUNK.repeat(n + 1)).subarray(0, n);
  /**
   * `text` as a line of a block of a file read as bytes, as readBlocks hands it out: `pad` bytes of
   * other lines before it, then its ending and more lines (or, for an ending without `\n`, the end of
   * the file: the block's end and a 0), then room that holds no zero. Returns the buffer, where the line starts, and the block's end.
   */
  const block = (text: string, pad: number, ending = "\n"): [Buffer, number, number] => {
    const body = Buffer.from(text, "utf8");
    // "" and "\r" end the file: the block ends there, and a 0 follows it.
    const last = !ending.endsWith("\n");
    const after = last
      ? Buffer.from(ending + "\u0000")
      : Buffer.concat([Buffer.from(ending), junk(pad), Buffer.from("\n")]);
    const limit = pad + body.length + after.length - (last ? 1 : 0);
    return [Buffer.concat([junk(pad), body, after, Buffer.alloc(200, "{")]), pad, limit];
  };
  /** Everything a reader can take from a scan, positions counted from the frame's start. */
  const readout = (scan: BookScan, base: number): unknown => {
    if (scan.entries === 0) return { text: scan.text, entries: 0 };
    const n = scan.asksTo(scan.entries - 1);
    return {
      text: scan.text,
      message: scan.message(),
      keys: Array.from(scan.keys.subarray(0, n)),
      levels: Array.from(scan.levels.subarray(0, n * LEVEL_STRIDE), (v, k) =>
        k % LEVEL_STRIDE === QTY_NONZERO ? v : v - base,
      ),
    };
  };

  it("answers as scan does on Kraken-layout frames, ASCII or not, and reads the same fields", () => {
    const bytes = new BookScan();
    const text = new BookScan();
    fc.assert(
      fc.property(message, fc.nat({ max: 70 }), fc.constantFrom("\n", "\r\n", "", "\r"), (m, pad, ending) => {
        const frame = krakenText(m);
        const accepted = text.scan(frame);
        const [buf, start, limit] = block(frame, pad, ending);
        const lineEnd = start + Buffer.byteLength(frame);
        expect(bytes.scanLine(buf, start, limit)).toBe(accepted ? lineEnd : -1);
        expect(readout(bytes, start)).toEqual(readout(text, 0));
        if (accepted) expect(bytes.message()).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("answers as scan does on corrupted frames, non-ASCII characters included", () => {
    const bytes = new BookScan();
    const text = new BookScan();
    fc.assert(
      fc.property(
        message,
        mutations([...MUTATION_CHARS, "é", "€", "\u0080", "\u00ff", "😀", "\u0000"]),
        (m, edits) => {
          const frame = mutate(krakenText(m), edits);
          const accepted = text.scan(frame);
          const [buf, start, limit] = block(frame, 3);
          expect(bytes.scanLine(buf, start, limit)).toBe(accepted ? start + Buffer.byteLength(frame) : -1);
          expect(readout(bytes, start)).toEqual(readout(text, 0));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("takes a line only when the frame is all of it: a newline, CRLF, or the block's end must follow", () => {
    const scan = new BookScan();
    const good =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63004.8,"qty":0.5}],' +
      '"asks":[],"checksum":12}]}';
    for (const ending of ["\n", "\r\n", ""]) {
      const [buf, start, limit] = block(good, 7, ending);
      expect(scan.scanLine(buf, start, limit), JSON.stringify(ending)).toBe(start + good.length);
    }
    // A lone CR ends the file's last line (readLines drops it), not one in the middle.
    expect(scan.scanLine(...block(good, 7, "\r"))).toBe(7 + good.length);
    const [buf, start, limit] = block(good + "\r" + good, 7);
    expect(scan.scanLine(buf, start, limit)).toBe(-1);
    for (const tail of [" ", "x", "}", "\t", "\u0000"]) {
      const [b, s, l] = block(good + tail, 7);
      expect(scan.scanLine(b, s, l), JSON.stringify(tail)).toBe(-1);
      expect(scan.entries).toBe(0);
      expect(scan.text).toBe("");
    }
  });

  it("leaves a frame with a non-ASCII symbol or timestamp to the generic parser", () => {
    const scan = new BookScan();
    const frame = (symbol: string, timestamp: string): string =>
      `{"channel":"book","type":"update","data":[{"symbol":"${symbol}","bids":[],"asks":[],"checksum":7,"timestamp":"${timestamp}"}]}`;
    const ok = frame("BTC/USD", "2026-01-01T00:00:00Z");
    expect(scan.scanLine(...block(ok, 0))).toBe(ok.length);
    expect(scan.text).toBe(ok);
    for (const [symbol, timestamp] of [
      ["BTC/€", "t"],
      ["é", "t"],
      ["BTC/USD", "2026-01-01T00:00:00Z€"],
      ["BTC/USD", "\u0080"],
    ] as const) {
      expect(scan.scanLine(...block(frame(symbol, timestamp), 5)), symbol + timestamp).toBe(-1);
      expect(scan.entries).toBe(0);
      expect(scan.text).toBe("");
    }
    // Latin-1 bytes that are not UTF-8 at all are not read as Latin-1 text either.
    const raw = Buffer.concat([Buffer.from(frame("BTC/USD", "x") + "\n", "latin1"), Buffer.alloc(100)]);
    raw[raw.indexOf("x")] = 0xe9;
    expect(scan.scanLine(raw, 0, raw.indexOf(10) + 1)).toBe(-1);
  });

  it("scans a copy of a line whose buffer lacks room after the block or a zero at its end", () => {
    const scan = new BookScan();
    const good =
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":63004.8,"qty":0.5}],' +
      '"asks":[{"price":63005.1,"qty":1.25}],"checksum":12,"timestamp":"2026-01-01T00:00:00Z"}]}';
    for (const ending of ["\n", "\r\n", "", "\r"]) {
      // The line at the very end of its buffer, with no room after it, and no zero after the last line.
      const buf = Buffer.from(`${JUNK}${good}${ending}`);
      expect(scan.scanLine(buf, JUNK.length, buf.length), JSON.stringify(ending)).toBe(
        JUNK.length + good.length,
      );
      expect(scan.text).toBe(good);
      expect(scan.price(1)).toBe("63005.1");
      expect(scan.slice(scan.levels[LEVEL_STRIDE]!, scan.levels[LEVEL_STRIDE + 1]!)).toBe("63005.1");
      expect(scan.timestamp(0)).toBe("2026-01-01T00:00:00Z");
      expect(scan.scanLine(buf, JUNK.length + 1, buf.length)).toBe(-1);
    }
    // Bytes past the block's end are stale (an earlier read): they never complete a frame cut there.
    const stale = Buffer.concat([Buffer.from(good + "\n"), Buffer.alloc(200, "{")]);
    for (let cut = 1; cut < good.length; cut++) expect(scan.scanLine(stale, 0, cut), `cut ${cut}`).toBe(-1);
    expect(scan.scanLine(stale, 0, good.length)).toBe(good.length);
  });

  it("rejects every truncation of a frame read from bytes, and grows for long frames", () => {
    const scan = new BookScan();
    const full =
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":63004.8,"qty":0.00173277}],' +
      '"asks":[],"checksum":4105680038,"timestamp":"2026-01-01T00:00:00.278831Z"}]}';
    for (let cut = 0; cut < full.length; cut++) {
      expect(scan.scanLine(...block(full, 1))).toBe(1 + full.length);
      expect(scan.scanLine(...block(full.slice(0, cut), 1))).toBe(-1);
      expect(scan.scanLine(...block(full.slice(cut + 1), 1))).toBe(-1);
    }
    const levels = Array.from({ length: 3000 }, (_, i) => `{"price":${1000 + i}.5,"qty":0.001}`).join(",");
    const long = `{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[${levels}],"asks":[],"checksum":1}]}`;
    expect(scan.scanLine(...block(long, 9))).toBe(9 + long.length);
    expect(scan.asksFrom(0)).toBe(3000);
    expect(scan.price(2999)).toBe("3999.5");
    expect(scan.qty(2999)).toBe("0.001");
    expect(scan.text).toBe(long);
  });

  it("reads prices of every length from bytes as scan reads them from text", () => {
    const scan = new BookScan();
    for (let length = 1; length <= 32; length++) {
      const price = length <= 2 ? "17".slice(2 - length) : "1." + "7".repeat(length - 3) + "5";
      expect(price.length).toBe(length);
      const frame = `{"channel":"book","type":"update","data":[{"symbol":"A","bids":[{"price":${price},"qty":1}],"asks":[],"checksum":0}]}`;
      expect(scan.scanLine(...block(frame, 2)), price).toBe(2 + frame.length);
      const start = scan.levels[0]!;
      expect(scan.slice(start, start + price.length)).toBe(price);
      expect(scan.price(0)).toBe(price);
      expect(scan.keys[0]).toBe(Number(price));
    }
  });
});
