import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BLOCK_SLACK,
  CompressedRecordingError,
  forEachLine,
  longLineMessage,
  readBlocks,
} from "../../src/recording/lines.js";
import { bookChecksum } from "../../src/book/checksum.js";
import { emptyReport, MAX_KEPT_ERRORS, verifyFile } from "../../src/verify/verify.js";
import { formatReport } from "../../src/verify/report.js";
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
async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `recording-${++counter}.jsonl`);
  await writeFile(path, content);
  return path;
}

async function verify(contents: readonly string[], depth = 10): Promise<VerifyReport> {
  const report = emptyReport();
  for (const c of contents) verifyFile(await file(c), report, depth);
  return report;
}

const lines = (ls: readonly string[]): string => ls.map((l) => l + "\n").join("");
/** The reader's onLong where no line is too long to hold. */
const noLong = (): never => {
  throw new Error("no line here is too long to hold");
};

describe("verifyFile on the real capture", () => {
  it("matches all 301 checksums: 5 snapshots, 296 updates, 377 frames, nothing skipped", async () => {
    expect(await verify([lines(capture)])).toEqual({
      frames: 377,
      checksums: { ok: 301, failed: 0 },
      symbols: { "BTC/USD": { snapshots: 5, updates: 296, skipped: 0, ok: 301, failed: 0, crossed: 0 } },
      invalidLines: 0,
      errors: [],
      trades: {},
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
    verifyFile(path, r, 10);
    expect(r.frames).toBe(377 + 3);
    expect(r.checksums).toEqual({ ok: 301, failed: 0 });
    expect(r.errors.map((e) => [e.file, e.line])).toEqual([
      [path, 5],
      [path, 6],
      [path, 8],
    ]);
    for (const e of r.errors) expect(e.message).not.toBe("");
  });

  it("counts every invalid line but keeps only the first MAX_KEPT_ERRORS, over several files: garbage cannot exhaust the heap", async () => {
    const garbage = (n: number): string => "x\n".repeat(n);
    const first = await file(garbage(MAX_KEPT_ERRORS - 5));
    const second = await file(garbage(10) + lines(capture));
    const r = emptyReport();
    verifyFile(first, r, 10);
    verifyFile(second, r, 10);
    expect(r.invalidLines).toBe(MAX_KEPT_ERRORS + 5);
    expect(r.errors).toHaveLength(MAX_KEPT_ERRORS);
    expect(r.errors.at(-1)).toMatchObject({ file: second, line: 5 });
    expect(r.checksums).toEqual({ ok: 301, failed: 0 });
    const text = formatReport(r, [first, second]);
    expect(text).toContain(`${MAX_KEPT_ERRORS + 5} invalid lines:`);
    expect(text).toContain(
      `  … and ${MAX_KEPT_ERRORS + 5 - 20} more (--json lists the first ${MAX_KEPT_ERRORS})`,
    );
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

describe("forEachLine", () => {
  const collect = (path: string): [string, number][] => {
    const out: [string, number][] = [];
    forEachLine(path, (line, lineNo) => out.push([line, lineNo]), noLong);
    return out;
  };

  it("splits across its read chunks (64 KiB; 2^20 is a boundary): a CRLF and a multi-byte character on the boundary", async () => {
    const long = "a".repeat(2 ** 20 - 1);
    expect(collect(await file(`${long}\r\nsecond\r\n\r\nlast`))).toEqual([
      [long, 1],
      ["second", 2],
      ["", 3],
      ["last", 4],
    ]);
    expect(collect(await file(`${long}€x\n`))).toEqual([[`${long}€x`, 1]]);
  });

  it("yields nothing for an empty file and keeps a lone trailing CR off the last line", async () => {
    expect(collect(await file(""))).toEqual([]);
    expect(collect(await file("a\nb\r"))).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });
});

describe("readBlocks and verify's lines: the bytes reader verify uses", () => {
  const CHUNK = 2 ** 16;
  type Seen = { text: string; zeroAfter: boolean; room: boolean };
  const blocksOf = (path: string): Seen[] => {
    const out: Seen[] = [];
    readBlocks(
      path,
      (b, start, end) =>
        out.push({
          text: b.toString("latin1", start, end),
          zeroAfter: b[end] === 0,
          room: b.length >= end + BLOCK_SLACK,
        }),
      noLong,
    );
    return out;
  };
  const long = "a".repeat(CHUNK * 2 + 17);

  it("hands out whole lines, every byte once, with room after each block and a zero after a last line without newline", async () => {
    for (const content of [
      "",
      "one\r\ntwo\r\n",
      "one\ntwo",
      "a\nb\r",
      "\r",
      `x\n${long}\r\ny`,
      long,
      "€\n😀",
    ]) {
      const blocks = blocksOf(await file(content));
      expect(blocks.map((b) => b.text).join("")).toBe(Buffer.from(content).toString("latin1"));
      for (const b of blocks) expect(b.room).toBe(true);
      for (const b of blocks.slice(0, -1)) expect(b.text.endsWith("\n")).toBe(true);
      const last = blocks.at(-1);
      if (last !== undefined && !last.text.endsWith("\n")) expect(last.zeroAfter).toBe(true);
    }
  });

  it("throws what the file system throws", () => {
    expect(() => readBlocks(join(dir, "missing.jsonl"), () => undefined, noLong)).toThrow(/ENOENT/);
    expect(() => readBlocks(dir, () => undefined, noLong)).toThrow(/EISDIR/);
  });

  it("refuses a compressed file before handing out a line, naming its format; a text file is not one", async () => {
    const text = readFileSync(capturePath);
    const formats: [string, Buffer][] = [
      ["gzip", gzipSync(text)],
      ["bzip2", Buffer.concat([Buffer.from("BZh91AY&SY"), text])],
      ["xz", Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), text])],
      ["zstd", Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), text])],
      ["zip", Buffer.concat([Buffer.from("PK\x03\x04"), text])],
    ];
    for (const [format, bytes] of formats) {
      const path = join(dir, `compressed.${format}`);
      await writeFile(path, bytes);
      let blocks = 0;
      expect(() => readBlocks(path, () => blocks++, noLong), format).toThrow(
        new CompressedRecordingError(format),
      );
      expect(blocks, format).toBe(0);
      expect(() => forEachLine(path, () => undefined, noLong), format).toThrow(CompressedRecordingError);
    }
    // Text that merely starts like one of them is read: "BZ" without the "h", "PK" without its bytes.
    const path = join(dir, "not-compressed.jsonl");
    await writeFile(path, "BZ\nPK\n");
    const seen: string[] = [];
    forEachLine(path, (line) => seen.push(line), noLong);
    expect(seen).toEqual(["BZ", "PK"]);
  });

  /**
   * verify's report for a file, and for the same lines as forEachLine splits them, written one per
   * line with plain newlines: equal when verify splits lines exactly as forEachLine does.
   */
  const bothWays = async (content: string): Promise<[VerifyReport, VerifyReport]> => {
    const path = await file(content);
    const split: string[] = [];
    forEachLine(path, (line) => split.push(line + "\n"), noLong);
    const plain = await file(split.join(""));
    const strip = (r: VerifyReport): VerifyReport => ({
      ...r,
      errors: r.errors.map((e) => ({ ...e, file: "" })),
    });
    const got = emptyReport();
    verifyFile(path, got, 10);
    const want = emptyReport();
    verifyFile(plain, want, 10);
    return [strip(got), strip(want)];
  };
  const bad = "not json ✗";

  const cases: [string, string][] = [
    ["CRLF lines", capture.join("\r\n") + "\r\n"],
    ["a last book frame without a newline", capture.join("\n")],
    ["a last book frame with a lone CR", capture.join("\n") + "\r"],
    ["empty and blank lines", ["", ...capture.slice(0, 30), "", "\r", "  ", ...capture.slice(30)].join("\n")],
    [
      "invalid lines among frames",
      [bad, ...capture.slice(0, 30), bad, "{", ...capture.slice(30), bad].join("\r\n"),
    ],
    [
      "non-ASCII lines",
      [`{"channel":"status","x":"€😀"}`, ...capture.slice(0, 40), `é${bad}`, ...capture.slice(40)].join("\n"),
    ],
    [
      "lines longer than a chunk",
      [`{"channel":"x","pad":"${long}"}`, ...capture.slice(0, 40), long, ...capture.slice(40)].join("\n"),
    ],
    ["a CR inside a line", [...capture.slice(0, 40), capture[40] + "\r ", ...capture.slice(41)].join("\n")],
  ];
  for (const [what, content] of cases) {
    it(`verifies ${what} as the same lines split by forEachLine`, async () => {
      const [got, want] = await bothWays(content);
      expect(got).toEqual(want);
      expect(got.checksums.ok).toBeGreaterThan(250);
    });
  }

  it("reads book frames cut by a 64 KiB read at every byte, a CRLF cut between its two bytes included", async () => {
    const frames = capture.slice(0, 12);
    const first = frames.findIndex((l, i) => i > 0 && l.startsWith('{"channel":"book"'));
    const before = frames.slice(0, first).join("\r\n") + "\r\n";
    for (let cut = 0; cut <= frames[first]!.length + 2; cut++) {
      // A filler line puts the read boundary `cut` bytes into the first book frame.
      const fill = CHUNK - Buffer.byteLength(before) - cut - 1;
      const content = `${"x".repeat(fill)}\n${frames.join("\r\n")}\r\n`;
      expect(Buffer.byteLength(content)).toBeGreaterThan(CHUNK);
      const [got, want] = await bothWays(content);
      expect(got, `cut ${cut}`).toEqual(want);
      expect(got.checksums.ok).toBeGreaterThan(0);
    }
  });
});

describe("verifyFile on a line longer than the reader holds (its cap made 192 KiB)", () => {
  const CAP = 3 * 2 ** 16;
  const check = async (content: string | Buffer): Promise<VerifyReport> => {
    const report = emptyReport();
    verifyFile(await file(content), report, 10, "rec.jsonl", CAP);
    return report;
  };

  it("lists it as an invalid line with its number and length, and verifies every frame around it", async () => {
    const long = `{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","pad":"${"x".repeat(2 * CAP)}"}]}`;
    const r = await check(lines([...capture.slice(0, 100), long, ...capture.slice(100)]));
    expect(r.checksums).toEqual({ ok: 301, failed: 0 });
    expect(r.symbols["BTC/USD"]).toMatchObject({ snapshots: 5, updates: 296, skipped: 0 });
    expect(r.frames).toBe(378);
    const bytes = Buffer.byteLength(long);
    expect(r.errors).toEqual([{ file: "rec.jsonl", line: 101, message: longLineMessage(bytes, CAP) }]);
    expect(r.errors[0]!.message).toBe(
      `line too long: ${bytes} bytes, over the ${CAP} bytes a recorded frame can be (not read)`,
    );
    expect(longLineMessage(300_000_000)).toBe(
      "line too long: 300000000 bytes, over the 257 MiB a recorded frame can be (not read)",
    );
  });

  it("reports a file with no newline at all (like /dev/zero) as one invalid line: no allocation failure", async () => {
    const r = await check(Buffer.alloc(5 * CAP));
    expect(r.frames).toBe(1);
    expect(r.checksums).toEqual({ ok: 0, failed: 0 });
    expect(r.errors).toEqual([{ file: "rec.jsonl", line: 1, message: longLineMessage(5 * CAP, CAP) }]);
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
