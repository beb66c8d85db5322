import { describe, expect, it } from "vitest";
import { parseFrame } from "../../src/protocol/parse.js";
import type { ParseResult } from "../../src/protocol/types.js";
import { spaceOut } from "./json-text.js";

const TIMES = '"time_in":"2026-08-01T02:53:53.184174Z","time_out":"2026-08-01T02:53:53.184216Z"';

/** A one-entry book frame in Kraken's exact layout, with the level lists and checksum given as raw text. */
const bookFrame = (type: string, bids: string, asks: string, checksum = "2531248887"): string =>
  `{"channel":"book","type":"${type}","data":[{"symbol":"BTC/USD","bids":[${bids}],"asks":[${asks}],` +
  `"checksum":${checksum},"timestamp":"2026-08-01T02:53:53.398143Z"}]}`;

function expectError(raw: string, message: RegExp): Extract<ParseResult, { kind: "error" }> {
  const r = parseFrame(raw);
  if (r.kind !== "error") throw new Error(`expected an error for ${raw}, got ${JSON.stringify(r)}`);
  expect(r.raw).toBe(raw);
  expect(r.message).toMatch(message);
  return r;
}

describe("parseFrame: every frame kind", () => {
  it("reads a status frame and keeps a connection_id above 2^53 as exact text", () => {
    const raw =
      '{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"online","api_version":"v2",' +
      '"connection_id":7204881492680171915}]}';
    expect(parseFrame(raw)).toEqual({
      kind: "status",
      system: "online",
      version: "2.0.10",
      apiVersion: "v2",
      connectionId: "7204881492680171915",
    });
  });

  it("reads a heartbeat", () => {
    expect(parseFrame('{"channel":"heartbeat"}')).toEqual({ kind: "heartbeat" });
  });

  it("reads a successful subscribe ack with symbol, depth and req_id", () => {
    const raw = `{"method":"subscribe","req_id":1,"result":{"channel":"book","depth":25,"snapshot":true,"symbol":"BTC/USD"},"success":true,${TIMES}}`;
    expect(parseFrame(raw)).toEqual({
      kind: "ack",
      method: "subscribe",
      channel: "book",
      symbol: "BTC/USD",
      depth: 25,
      reqId: 1,
    });
  });

  it("reads a successful unsubscribe ack without req_id", () => {
    const raw = `{"method":"unsubscribe","result":{"channel":"book","depth":10,"symbol":"BTC/USD"},"success":true,${TIMES}}`;
    expect(parseFrame(raw)).toEqual({
      kind: "ack",
      method: "unsubscribe",
      channel: "book",
      symbol: "BTC/USD",
      depth: 10,
    });
  });

  it("reads a failed subscribe for a bad pair, with its symbol", () => {
    const raw = `{"error":"Currency pair not supported FOO/BAR","method":"subscribe","req_id":1,"success":false,"symbol":"FOO/BAR",${TIMES}}`;
    expect(parseFrame(raw)).toEqual({
      kind: "nack",
      method: "subscribe",
      error: "Currency pair not supported FOO/BAR",
      symbol: "FOO/BAR",
      reqId: 1,
    });
  });

  it("reads a failed subscribe for a bad depth, which names no symbol", () => {
    const raw = `{"error":"Subscription depth not supported","method":"subscribe","success":false,${TIMES}}`;
    expect(parseFrame(raw)).toEqual({
      kind: "nack",
      method: "subscribe",
      error: "Subscription depth not supported",
    });
  });

  it("reads a failed unsubscribe", () => {
    const raw = `{"error":"Subscription Not Found","method":"unsubscribe","req_id":9,"success":false,"symbol":"ETH/USD",${TIMES}}`;
    expect(parseFrame(raw)).toEqual({
      kind: "nack",
      method: "unsubscribe",
      error: "Subscription Not Found",
      symbol: "ETH/USD",
      reqId: 9,
    });
  });

  it("reads a pong with and without success, keeping the server's answer time", () => {
    const timeOut = "2026-08-01T02:53:53.184216Z";
    expect(parseFrame(`{"method":"pong","req_id":7,${TIMES}}`)).toEqual({ kind: "pong", reqId: 7, timeOut });
    expect(parseFrame(`{"method":"pong","req_id":8,"success":true,${TIMES}}`)).toEqual({
      kind: "pong",
      reqId: 8,
      timeOut,
    });
    expect(parseFrame(`{"method":"pong",${TIMES}}`)).toEqual({ kind: "pong", timeOut });
    expect(parseFrame(`{"method":"pong","req_id":9}`)).toEqual({ kind: "pong", reqId: 9 });
  });

  it("reads a book snapshot, keeping every price and qty exactly as written", () => {
    const raw = bookFrame(
      "snapshot",
      '{"price":63004.9,"qty":0.10000000},{"price":63000.0,"qty":0.00000051}',
      '{"price":63005.0,"qty":2.07265551}',
    );
    expect(parseFrame(raw)).toEqual({
      kind: "book",
      type: "snapshot",
      data: [
        {
          symbol: "BTC/USD",
          bids: [
            { price: "63004.9", qty: "0.10000000" },
            { price: "63000.0", qty: "0.00000051" },
          ],
          asks: [{ price: "63005.0", qty: "2.07265551" }],
          checksum: 2531248887,
          timestamp: "2026-08-01T02:53:53.398143Z",
        },
      ],
    });
  });

  it("reads a book update with deletes, repeats and an empty side, in wire order", () => {
    const raw =
      '{"channel":"book","type":"update","data":[{"symbol":"MINA/GBP","bids":[{"price":0.0279,"qty":0.00000000},' +
      '{"price":0.0020,"qty":5220.00000000},{"price":0.0279,"qty":1.50000000}],"asks":[],"checksum":222201382,' +
      '"timestamp":"2026-08-16T23:37:05.723653Z"}]}';
    expect(parseFrame(raw)).toEqual({
      kind: "book",
      type: "update",
      data: [
        {
          symbol: "MINA/GBP",
          bids: [
            { price: "0.0279", qty: "0.00000000" },
            { price: "0.0020", qty: "5220.00000000" },
            { price: "0.0279", qty: "1.50000000" },
          ],
          asks: [],
          checksum: 222201382,
          timestamp: "2026-08-16T23:37:05.723653Z",
        },
      ],
    });
  });

  it("reads a book frame without timestamp, with checksum 0 and 4294967295, and several entries", () => {
    const raw =
      '{"channel":"book","type":"update","data":[{"symbol":"A/B","bids":[],"asks":[],"checksum":0},' +
      '{"symbol":"C/D","bids":[],"asks":[{"price":1,"qty":2}],"checksum":4294967295}]}';
    expect(parseFrame(raw)).toEqual({
      kind: "book",
      type: "update",
      data: [
        { symbol: "A/B", bids: [], asks: [], checksum: 0 },
        { symbol: "C/D", bids: [], asks: [{ price: "1", qty: "2" }], checksum: 4294967295 },
      ],
    });
  });

  it("reads an instrument frame and keeps its exponent-notation numbers as text", () => {
    const raw =
      '{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"BTC","status":"enabled"}],"pairs":[' +
      '{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":1e-08,' +
      '"qty_min":0.0001,"price_precision":1,"price_increment":0.1,"marginable":true}]}}';
    expect(parseFrame(raw)).toEqual({
      kind: "instrument",
      type: "snapshot",
      pairs: [
        {
          symbol: "BTC/USD",
          status: "online",
          pricePrecision: 1,
          qtyPrecision: 8,
          priceIncrement: "0.1",
          qtyIncrement: "1e-08",
          qtyMin: "0.0001",
        },
      ],
    });
  });

  it("reads Kraken's rate-limit complaint", () => {
    expect(parseFrame('{"Error":"Exceeded msg rate"}')).toEqual({
      kind: "rate-limit",
      error: "Exceeded msg rate",
    });
  });

  it("turns frames of channels and methods it does not use into unknown messages carrying their raw text", () => {
    for (const raw of ['{"method":"edit_order","success":true}', '{"channel":"ohlc","data":[]}']) {
      expect(parseFrame(raw)).toEqual({ kind: "unknown", raw });
    }
  });

  it("reports valid JSON that is no Kraken message, as an error about no book", () => {
    for (const [raw, message] of [
      ["{}", "an object with neither channel nor method"],
      ['{"data":[],"type":"update"}', "an object with neither channel nor method"],
      ["[1,2,3]", "an array, not an object"],
      ["42", "the number 42, not an object"],
      ['"text"', 'the string "text", not an object'],
      ["null", "null, not an object"],
      ["true", "boolean, not an object"],
    ]) {
      expect(parseFrame(raw!)).toEqual({ kind: "error", message, raw, book: false });
    }
  });
});

describe("parseFrame: the generic path agrees with the fast path", () => {
  const fast = bookFrame(
    "update",
    '{"price":63004.9,"qty":0.00000000},{"price":0.0280,"qty":1.08100}',
    '{"price":63005.0,"qty":0.10000000}',
  );

  it("parses the same book frame with whitespace or reordered keys to the same message", () => {
    const expected = parseFrame(fast);
    expect(expected.kind).toBe("book");
    const variants = [
      " " + fast,
      fast + "\n",
      spaceOut(fast),
      '{"type":"update","data":[{"timestamp":"2026-08-01T02:53:53.398143Z","checksum":2531248887,' +
        '"asks":[{"qty":0.10000000,"price":63005.0}],"symbol":"BTC/USD","bids":[{"qty":0.00000000,' +
        '"price":63004.9},{"price":0.0280,"qty":1.08100}]}],"channel":"book"}',
    ];
    for (const v of variants) expect(parseFrame(v)).toEqual(expected);
  });

  it("parses a frame with extra keys the fast layout does not know through the generic path", () => {
    const extra = fast.replace('"channel":"book",', '"channel":"book","seq":1,');
    expect(parseFrame(extra)).toEqual(parseFrame(fast));
  });

  it("reads escaped symbols through the generic path", () => {
    const raw = bookFrame("update", "", "").replace('"BTC/USD"', '"BTC\\/USD"');
    const r = parseFrame(raw);
    expect(r.kind === "book" && r.data[0]!.symbol).toBe("BTC/USD");
  });
});

describe("parseFrame: malformed input gives typed errors, never exceptions", () => {
  it("reports empty and whitespace-only lines", () => {
    for (const raw of ["", " ", "\t\r\n"]) expectError(raw, /empty/);
  });

  it("reports truncated and otherwise invalid JSON", () => {
    const full = bookFrame("update", '{"price":63004.9,"qty":0.1}', "");
    for (const raw of [
      full.slice(0, 60),
      full.slice(0, -1),
      "{",
      '{"channel":"heartbeat"',
      "garbage",
      "{'a':1}",
    ]) {
      expectError(raw, /malformed JSON/);
    }
  });

  it("reports a price sent as a string, naming the symbol", () => {
    const e = expectError(bookFrame("update", '{"price":"63004.9","qty":0.1}', ""), /bids\[0\]\.price/);
    expect(e.symbols).toEqual(["BTC/USD"]);
  });

  it("reports a null qty", () => {
    expectError(bookFrame("update", "", '{"price":63004.9,"qty":null}'), /asks\[0\]\.qty is null/);
  });

  it("reports bids that are not an array, and a missing asks list", () => {
    const notArray = bookFrame("update", "", "").replace('"bids":[]', '"bids":{}');
    expect(expectError(notArray, /bids is not an array/).symbols).toEqual(["BTC/USD"]);
    const missing = bookFrame("update", "", "").replace(',"asks":[]', "");
    expect(expectError(missing, /asks is missing/).symbols).toEqual(["BTC/USD"]);
  });

  it("reports a negative, fractional, exponent, too big, string or missing checksum", () => {
    for (const c of ["-1", "1.5", "1e3", "4294967296", "99999999999", '"2531248887"']) {
      expectError(bookFrame("update", "", "", c), /checksum/);
    }
    const missing = bookFrame("update", "", "").replace(/,"checksum":\d+/, "");
    expectError(missing, /checksum is missing$/);
    expectError(
      bookFrame("update", "", "", '"2531248887"'),
      /checksum is the string "2531248887", not a number$/,
    );
  });

  it("reports missing and wrong-typed symbol, type and data", () => {
    const base = bookFrame("update", "", "");
    expectError(base.replace('"symbol":"BTC/USD",', ""), /symbol is missing/);
    expectError(base.replace('"symbol":"BTC/USD"', '"symbol":""'), /symbol is empty/);
    expectError(base.replace('"symbol":"BTC/USD"', '"symbol":5'), /symbol is the number 5$/);
    expectError(base.replace('"type":"update"', '"type":"delta"'), /bad type/);
    expectError(base.replace('"type":"update",', ""), /bad type/);
    expectError('{"channel":"book","type":"update","data":[]}', /data/);
    expectError('{"channel":"book","type":"update","data":{}}', /data/);
    expectError('{"channel":"book","type":"update","data":[5]}', /data\[0\] is not an object/);
    expectError(base.replace('"timestamp":"2026-08-01T02:53:53.398143Z"', '"timestamp":5'), /timestamp/);
    expectError(bookFrame("update", "5", ""), /bids\[0\] is not an object/);
    expectError(bookFrame("update", '{"price":1}', ""), /bids\[0\]\.qty is missing/);
  });

  it("reports huge numbers: very long digit strings in price and qty", () => {
    const long = "1" + "0".repeat(40);
    expectError(bookFrame("update", `{"price":${long},"qty":1.0}`, ""), /too long/);
    expectError(bookFrame("update", "", `{"price":1.0,"qty":0.${"0".repeat(40)}1}`), /too long/);
    const hugeChecksum = "9".repeat(400);
    expectError(bookFrame("update", "", "", hugeChecksum), /checksum/);
  });

  it("reports exponent notation and negative numbers in price and qty", () => {
    expectError(bookFrame("update", '{"price":6.3e4,"qty":1.0}', ""), /price 6\.3e4 is not a plain/);
    expectError(bookFrame("update", '{"price":63000.0,"qty":1E-8}', ""), /qty 1E-8 is not a plain/);
    expectError(bookFrame("update", "", '{"price":63000.0,"qty":-0.5}'), /qty -0\.5 is not a plain/);
    expectError(bookFrame("update", "", '{"price":-1,"qty":0.5}'), /price -1 is not a plain/);
  });

  it("names the symbols of a broken multi-entry frame only when every entry's can be read", () => {
    const raw =
      '{"channel":"book","type":"update","data":[{"symbol":"A/B","bids":[],"asks":[],"checksum":1},' +
      '{"symbol":"C/D","bids":[{"price":"x","qty":1}],"asks":[],"checksum":2}]}';
    expect(expectError(raw, /data\[1\]\.bids\[0\]\.price/).symbols).toEqual(["A/B", "C/D"]);
    const e = expectError(bookFrame("update", "", "").replace('"symbol":"BTC/USD",', ""), /symbol/);
    expect(e).not.toHaveProperty("symbols");
    const oneNameless = raw.replace('"symbol":"A/B",', "");
    expect(expectError(oneNameless, /symbol/)).not.toHaveProperty("symbols");
  });

  it("tells whether an unreadable frame may have carried book data, and which symbols its text names", () => {
    const update = bookFrame("update", '{"price":63004.9,"qty":0.1}', "");
    const judged = (raw: string): { book: boolean; symbols?: readonly string[] } => {
      const r = parseFrame(raw);
      if (r.kind !== "error") throw new Error(`expected an error for ${raw}`);
      return r.symbols === undefined ? { book: r.book } : { book: r.book, symbols: r.symbols };
    };
    expect(judged(update.slice(0, 80))).toEqual({ book: true, symbols: ["BTC/USD"] });
    expect(judged(update.replace("bids", "bi\u0001ds"))).toEqual({ book: true, symbols: ["BTC/USD"] });
    expect(judged(update.replace(/"checksum":/, '"checksum":0'))).toEqual({
      book: true,
      symbols: ["BTC/USD"],
    });
    // A name that cannot be read, or text cut off before it: any book.
    expect(judged(update.replace('"symbol":"BTC', '"symbol":"B\u0001TC'))).toEqual({ book: true });
    expect(judged(update.slice(0, 40))).toEqual({ book: true });
    expect(judged("")).toEqual({ book: true });
    expect(judged("{garbage")).toEqual({ book: true });
    // Levels under another channel name, or none: a broken book frame, not another channel.
    expect(judged(update.replace('"channel":"book"', '"channel":"bo0k"'))).toEqual({
      book: true,
      symbols: ["BTC/USD"],
    });
    expect(judged(update.replace('"channel":"book"', '"channel":"heartbeat"'))).toEqual({
      book: true,
      symbols: ["BTC/USD"],
    });
    expect(judged(update.replace('"channel":"book",', ""))).toEqual({ book: true, symbols: ["BTC/USD"] });
    // Frames that never carry levels, broken: not book data.
    expect(judged('{"channel":"heartbeat"')).toEqual({ book: false });
    expect(
      judged(`{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD"},"success":tr`),
    ).toEqual({
      book: false,
    });
    expect(judged('{"channel":"status","data":[{"system":"on\u0001line"}]}')).toEqual({ book: false });
    // Another channel without levels stays a frame of that channel.
    expect(
      parseFrame('{"channel":"ticker","type":"update","data":[{"symbol":"BTC/USD","bid":1}]}').kind,
    ).toBe("ticker");
  });

  it("keeps the method and symbol of a rate-limit answer to a subscribe", () => {
    expect(
      parseFrame('{"error":"Exceeded msg rate","method":"subscribe","success":false,"symbol":"BTC/USD"}'),
    ).toEqual({ kind: "rate-limit", error: "Exceeded msg rate", method: "subscribe", symbol: "BTC/USD" });
  });

  it("reports JSON nested too deeply to parse instead of overflowing the stack", () => {
    expectError("[".repeat(100_000) + "]".repeat(100_000), /^malformed JSON: nested too deeply to read$/);
    expectError(
      `{"channel":"book","type":"update","data":[${"[".repeat(50_000)}${"]".repeat(50_000)}]}`,
      /^malformed JSON: nested too deeply to read$/,
    );
  });

  it("never throws, whatever the bytes", () => {
    const frame = bookFrame("update", '{"price":63004.9,"qty":0.1}', '{"price":63005.0,"qty":0.2}');
    for (let cut = 0; cut <= frame.length; cut++) {
      const r = parseFrame(frame.slice(0, cut));
      expect(r.kind === "error" || cut === frame.length).toBe(true);
    }
  });
});
