import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBlocks, readLineBytes, readLines } from "../../src/verify/lines.js";
import { bookChecksum } from "../../src/book/checksum.js";
import { emptyReport, verifyFile } from "../../src/verify/verify.js";
import type { VerifyReport } from "../../src/verify/verify.js";

const capturePath = new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url);
/** The capture's lines, without the final empty string after its last newline. */
const capture = readFileSync(capturePath, "utf8").split("\n").slice(0, -1);
const isUpdate = (l: string): boolean => l.startsWith('{"channel":"book","type":"update"');
const isSnapshot = (l: string): boolean => l.startsWith('{"channel":"book","type":"snapshot"');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-verify-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function file(content: string): Promise<string> {
  const path = join(dir, `recording-${++counter}.jsonl`);
  await writeFile(path, content);
  return path;
}

async function verify(contents: readonly string[], depth = 10): Promise<VerifyReport> {
  const report = emptyReport();
  for (const c of contents) await verifyFile(await file(c), report, depth);
  return report;
}

const lines = (ls: readonly string[]): string => ls.map((l) => l + "\n").join("");

describe("verifyFile on the real capture", () => {
  it("matches all 301 checksums: 5 snapshots, 296 updates, 377 frames, nothing skipped", async () => {
    expect(await verify([lines(capture)])).toEqual({
      frames: 377,
      checksums: { ok: 301, failed: 0 },
      symbols: { "BTC/USD": { snapshots: 5, updates: 296, skipped: 0, ok: 301, failed: 0, crossed: 0 } },
      errors: [],
    });
  });

  it("fails every snapshot when the numbers are re-serialised as floats, then skips the broken book's updates", async () => {
    const floats = capture.map((l) => JSON.stringify(JSON.parse(l)));
    expect(floats.filter((l, i) => l !== capture[i]).length).toBeGreaterThan(200);
    const r = await verify([lines(floats)]);
    expect(r.checksums).toEqual({ ok: 0, failed: 5 });
    expect(r.symbols["BTC/USD"]).toEqual({
      snapshots: 5,
      updates: 296,
      skipped: 296,
      ok: 0,
      failed: 5,
      crossed: 0,
    });
  });

  it("fails when the book is not truncated: depth 1000 from --depth on a copy without acks", async () => {
    const noAcks = capture.filter((l) => !l.startsWith('{"method"'));
    expect((await verify([lines(noAcks)], 10)).checksums.failed).toBe(0);
    const r = await verify([lines(noAcks)], 1000);
    expect(r.checksums.failed).toBeGreaterThan(0);
    expect(r.symbols["BTC/USD"]!.skipped).toBeGreaterThan(0);
  });

  it("takes the depth from the recording's subscribe acks over --depth", async () => {
    expect((await verify([lines(capture)], 1000)).checksums).toEqual({ ok: 301, failed: 0 });
    const deep = capture.map((l) => l.replace('"depth":10,"snapshot":true', '"depth":1000,"snapshot":true'));
    expect((await verify([lines(deep)], 10)).checksums.failed).toBeGreaterThan(0);
  });

  it("after a corrupted checksum, skips that symbol's updates until the next snapshot", async () => {
    const at = 30; // 0-based index of an update in the second snapshot's run (snapshot at index 24, next at 46)
    expect(isUpdate(capture[at]!)).toBe(true);
    const corrupted = [...capture];
    corrupted[at] = capture[at]!.replace(
      /"checksum":(\d+)/,
      (_, n: string) => `"checksum":${(Number(n) + 1) % 2 ** 32}`,
    );
    expect(corrupted[at]).not.toBe(capture[at]);
    const nextSnapshot = capture.findIndex((l, i) => i > at && isSnapshot(l));
    const skipped = capture.slice(at + 1, nextSnapshot).filter(isUpdate).length;
    expect(skipped).toBeGreaterThan(0);
    const r = await verify([lines(corrupted)]);
    expect(r.checksums).toEqual({ ok: 300 - skipped, failed: 1 });
    expect(r.symbols["BTC/USD"]).toEqual({
      snapshots: 5,
      updates: 296,
      skipped,
      ok: 300 - skipped,
      failed: 1,
      crossed: 0,
    });
  });

  it("skips updates that arrive after an unsubscribe ack, until the next snapshot", async () => {
    // Line 19 is an unsubscribe ack; repeat the update before it after it: not applied, not failed.
    const i = capture.findIndex((l) => l.startsWith('{"method":"unsubscribe"'));
    expect(isUpdate(capture[i - 1]!)).toBe(true);
    const late = [...capture.slice(0, i + 1), capture[i - 1]!, capture[i - 1]!, ...capture.slice(i + 1)];
    const r = await verify([lines(late)]);
    expect(r.checksums).toEqual({ ok: 301, failed: 0 });
    expect(r.symbols["BTC/USD"]).toMatchObject({ updates: 298, skipped: 2 });
  });

  it("treats a book frame it cannot read as breaking that symbol's book until its next snapshot", async () => {
    const at = 30;
    const broken = capture[at]!.replace(/"price":(\d+\.\d+)/, '"price":"$1"');
    expect(broken).not.toBe(capture[at]);
    const nextSnapshot = capture.findIndex((l, i) => i > at && isSnapshot(l));
    const skipped = capture.slice(at + 1, nextSnapshot).filter(isUpdate).length;
    const r = await verify([lines([...capture.slice(0, at), broken, ...capture.slice(at + 1)])]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: at + 1 });
    expect(r.errors[0]!.message).toMatch(/price/);
    expect(r.checksums).toEqual({ ok: 300 - skipped, failed: 0 });
    expect(r.symbols["BTC/USD"]).toMatchObject({ updates: 295, skipped });
  });

  it("reports invalid lines with their line numbers and carries on; empty lines are not frames", async () => {
    const bad = [
      ...capture.slice(0, 3),
      "",
      "garbage",
      capture[4]!.slice(0, 50),
      "   ",
      '{"channel":"book","type":"update","data":[{"symbol":"ETH/USD","bids":[],"asks":[],"checksum":1e3}]}',
      ...capture.slice(3),
    ];
    const path = await file(lines(bad));
    const r = emptyReport();
    await verifyFile(path, r, 10);
    expect(r.frames).toBe(377 + 3);
    expect(r.checksums).toEqual({ ok: 301, failed: 0 });
    expect(r.errors.map((e) => [e.file, e.line])).toEqual([
      [path, 5],
      [path, 6],
      [path, 8],
    ]);
    for (const e of r.errors) expect(e.message).not.toBe("");
  });

  it("totals several files, each starting from a fresh state", async () => {
    const secondSnapshot = capture.findIndex((l, i) => i > 3 && isSnapshot(l));
    const cut = secondSnapshot + 5;
    // File 1 ends with an ack asking for depth 1000; file 2 starts mid-stream with updates and has no acks.
    const first = [...capture.slice(0, cut), capture[1]!.replace('"depth":10', '"depth":1000')];
    const second = capture.slice(cut).filter((l) => !l.startsWith('{"method"'));
    const orphans = second.slice(0, second.findIndex(isSnapshot)).filter(isUpdate).length;
    expect(orphans).toBeGreaterThan(0);
    const r = await verify([lines(first), lines(second)]);
    expect(r.frames).toBe(first.length + second.length);
    // Fresh state: file 2's first updates have no book (skipped), and its books use depth 10, not 1000.
    expect(r.checksums).toEqual({ ok: 301 - orphans, failed: 0 });
    expect(r.symbols["BTC/USD"]).toEqual({
      snapshots: 5,
      updates: 296,
      skipped: orphans,
      ok: 301 - orphans,
      failed: 0,
      crossed: 0,
    });
  });

  it("reads CRLF line endings and a last line without a newline", async () => {
    const r = await verify([capture.join("\r\n")]);
    expect(r.frames).toBe(377);
    expect(r.checksums).toEqual({ ok: 301, failed: 0 });
    expect(r.errors).toEqual([]);
  });
});

describe("readLines", () => {
  const collect = async (path: string): Promise<[string, number][]> => {
    const out: [string, number][] = [];
    for await (const l of readLines(path)) out.push(l);
    return out;
  };

  it("splits across its read chunks (64 KiB; 2^20 is a boundary): a CRLF and a multi-byte character on the boundary", async () => {
    const long = "a".repeat(2 ** 20 - 1);
    expect(await collect(await file(`${long}\r\nsecond\r\n\r\nlast`))).toEqual([
      [long, 1],
      ["second", 2],
      ["", 3],
      ["last", 4],
    ]);
    expect(await collect(await file(`${long}€x\n`))).toEqual([[`${long}€x`, 1]]);
  });

  it("yields nothing for an empty file and keeps a lone trailing CR off the last line", async () => {
    expect(await collect(await file(""))).toEqual([]);
    expect(await collect(await file("a\nb\r"))).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });
});

describe("readLineBytes and readBlocks: the bytes readers verify uses", () => {
  const CHUNK = 2 ** 16;
  const bytesOf = (path: string): [string, number][] => {
    const out: [string, number][] = [];
    readLineBytes(path, (b, start, end, lineNo) => out.push([b.toString("utf8", start, end), lineNo]));
    return out;
  };
  const blocksOf = (path: string): string[] => {
    const out: string[] = [];
    readBlocks(path, (b, start, end) => out.push(b.toString("latin1", start, end)));
    return out;
  };
  const stringsOf = async (path: string): Promise<[string, number][]> => {
    const out: [string, number][] = [];
    for await (const l of readLines(path)) out.push(l);
    return out;
  };

  const long = "a".repeat(CHUNK * 2 + 17);
  const cases: [string, string, [string, number][]][] = [
    ["empty file", "", []],
    [
      "CRLF lines",
      "one\r\ntwo\r\n",
      [
        ["one", 1],
        ["two", 2],
      ],
    ],
    [
      "a last line without a newline",
      "one\ntwo",
      [
        ["one", 1],
        ["two", 2],
      ],
    ],
    [
      "a last line with a lone CR",
      "a\nb\r",
      [
        ["a", 1],
        ["b", 2],
      ],
    ],
    ["a lone CR", "\r", [["", 1]]],
    [
      "empty lines",
      "\n\r\n\nx\n\n",
      [
        ["", 1],
        ["", 2],
        ["", 3],
        ["x", 4],
        ["", 5],
      ],
    ],
    ["a CR inside a line", "a\rb\n", [["a\rb", 1]]],
    [
      "non-ASCII lines",
      "€uro\nÄÖ😀\r\nend",
      [
        ["€uro", 1],
        ["ÄÖ😀", 2],
        ["end", 3],
      ],
    ],
    [
      "a line longer than a chunk",
      `x\n${long}\r\ny`,
      [
        ["x", 1],
        [long, 2],
        ["y", 3],
      ],
    ],
    ["a file of one long line", long, [[long, 1]]],
  ];
  for (const [what, content, expected] of cases) {
    it(`reads ${what} as readLines does`, async () => {
      const path = await file(content);
      expect(bytesOf(path)).toEqual(expected);
      expect(await stringsOf(path)).toEqual(expected);
      expect(blocksOf(path).join("")).toBe(Buffer.from(content).toString("latin1"));
    });
  }

  it("splits lines across its 64 KiB reads: every position of a CRLF and of a multi-byte character at the boundary", async () => {
    for (let shift = -4; shift <= 4; shift++) {
      const first = "b".repeat(CHUNK - 3 + shift);
      const content = `${first}\r\n€é\r\n${"c".repeat(CHUNK - 1)}\n😀\n\nlast`;
      const path = await file(content);
      const expected: [string, number][] = [
        [first, 1],
        ["€é", 2],
        ["c".repeat(CHUNK - 1), 3],
        ["😀", 4],
        ["", 5],
        ["last", 6],
      ];
      expect(bytesOf(path), `shift ${shift}`).toEqual(expected);
      expect(await stringsOf(path)).toEqual(expected);
      const blocks = blocksOf(path);
      expect(blocks.join("")).toBe(Buffer.from(content).toString("latin1"));
      // Whole lines per block: each ends with a newline, but the file's last line.
      for (const b of blocks.slice(0, -1)) expect(b.endsWith("\n")).toBe(true);
      expect(blocks.at(-1)).toBe("last");
    }
  });

  it("throws what the file system throws", async () => {
    expect(() => readLineBytes(join(dir, "missing.jsonl"), () => undefined)).toThrow(/ENOENT/);
    expect(() => readLineBytes(dir, () => undefined)).toThrow(/EISDIR/);
  });
});

describe("verifyFile on lines that are not ASCII", () => {
  it("decodes them as UTF-8 for the generic parser: a non-ASCII symbol's book is checked and broken like any other", async () => {
    const symbol = "€/ÄÖ";
    const bids = [{ price: "1.5", qty: "2.25" }];
    const asks = [{ price: "1.75", qty: "0.5" }];
    const book = (type: string, checksum: number): string =>
      JSON.stringify({ channel: "book", type, data: [{ symbol, bids: [], asks: [], checksum }] })
        .replace('"bids":[]', `"bids":[${bids.map((l) => `{"price":${l.price},"qty":${l.qty}}`).join(",")}]`)
        .replace('"asks":[]', `"asks":[${asks.map((l) => `{"price":${l.price},"qty":${l.qty}}`).join(",")}]`);
    const good = bookChecksum(asks, bids);
    const content = [
      book("snapshot", good),
      book("update", good),
      book("update", (good + 1) % 2 ** 32),
      book("snapshot", good),
      book("update", good),
      book("update", good).replace('"price":1.5', '"price":"1.5"'),
      book("update", good),
      '{"error":"Währung unbekannt: ¤","method":"subscribe","success":false}',
      ...capture,
    ];
    const r = await verify([content.join("\r\n")]);
    expect(r.symbols[symbol]).toEqual({ snapshots: 2, updates: 4, skipped: 1, ok: 4, failed: 1, crossed: 0 });
    expect(r.symbols["BTC/USD"]).toMatchObject({ ok: 301, failed: 0 });
    expect(r.errors.map((e) => e.line)).toEqual([6]);
    expect(r.frames).toBe(8 + 377);
  });
});
