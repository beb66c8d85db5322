import { appendFile, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli } from "../helpers/run-cli.js";
import { longLineMessage, MAX_LINE_BYTES } from "../../src/recording/lines.js";

/** `kraken-ladder verify` through the built binary, on recordings written to fool it. */

const CAPTURE = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
const capture = readFileSync(CAPTURE, "utf8").split("\n").slice(0, -1);
/** The capture's first 30 lines (two snapshots and their updates) with BTC/USD renamed. */
const renamed = (symbol: string): string[] =>
  capture.slice(0, 30).map((l) => l.replaceAll('"BTC/USD"', JSON.stringify(symbol)));
const RAW_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-verify-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}
const lines = (ls: readonly string[]): string => ls.map((l) => l + "\n").join("");

type Report = {
  checksums: { ok: number; failed: number };
  symbols: Record<string, { ok: number }>;
  unverified: string[];
};

describe.concurrent("kraken-ladder verify on files written to fool it", () => {
  it("symbols named __proto__, ok, constructor and toString each get their own row, exit 0", async () => {
    const names = ["__proto__", "ok", "constructor", "toString", "hasOwnProperty"];
    const path = await file("proto.jsonl", lines(names.flatMap(renamed)));
    const text = await runCli(["verify", path]);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
    for (const name of names)
      expect(text.stdout).toMatch(new RegExp(`^${name}\\s+2\\s+\\d+\\s+0\\s+\\d+\\s+0\\s+0$`, "m"));
    const json = await runCli(["verify", "--json", path]);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report;
    expect(Object.keys(report.symbols)).toEqual(names);
    for (const name of names)
      expect(Object.getOwnPropertyDescriptor(report.symbols, name)?.value).toMatchObject({ ok: 16 });
    expect(report.checksums).toEqual({ ok: 16 * names.length, failed: 0 });
  });

  it("fails with exit 1 and names the file when it has nothing to verify: empty, blank, garbage, binary, no book data", async () => {
    const binary = Buffer.alloc(4096);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919 + 13) % 256;
    const cases: [string, string | Buffer, RegExp][] = [
      ["empty.jsonl", "", /it has no frames/],
      ["one-line.jsonl", "garbage\n", /none of its 1 line is a readable frame/],
      ["blank.jsonl", "\n  \n\r\n", /it has no frames/],
      [
        "garbage.jsonl",
        "garbage\n{not json\n\u001b]0;pwned\u0007\n",
        /none of its 3 lines is a readable frame/,
      ],
      ["binary.jsonl", binary, /none of its \d+ lines? is a readable frame/],
      [
        "no-book.jsonl",
        lines(capture.filter((l) => !l.startsWith('{"channel":"book"'))),
        /no book snapshot with a checksum in its \d+ lines/,
      ],
    ];
    for (const [name, content, reason] of cases) {
      const path = await file(name, content);
      const text = await runCli(["verify", path]);
      expect(text.code, name).toBe(1);
      expect(text.stderr, name).toMatch(new RegExp(`^kraken-ladder verify: nothing verified in ${path}: `));
      expect(text.stderr, name).toMatch(reason);
      // The plain report: a frame count said as it is ("1 frame"), with the unreadable ones among them (a
      // garbage line is a frame, not a readable one), and no table when no book frame was read.
      const frames = text.stdout.split("\n")[0]!;
      expect(frames, name).toMatch(/: (1 frame|\d+ frames)( \(\d+ unreadable\))?$/);
      expect(frames, name).not.toMatch(/: 1 frames/);
      if (name === "one-line.jsonl") expect(frames).toBe(`${path}: 1 frame (1 unreadable)`);
      if (name === "garbage.jsonl") expect(frames).toBe(`${path}: 3 frames (3 unreadable)`);
      if (name === "no-book.jsonl") expect(frames).toMatch(/\d+ frames$/);
      expect(text.stdout, name).not.toMatch(/^symbol {2}snapshots/m);
      for (const line of (text.stderr + text.stdout).split("\n")) expect(line, name).not.toMatch(RAW_UNSAFE);
      const json = await runCli(["verify", "--json", path]);
      expect(json.code, name).toBe(1);
      expect((JSON.parse(json.stdout) as Report).unverified, name).toEqual([path]);
    }
  });

  it("a compressed recording: verify, --replay and simulate --replay each say so and exit 2", async () => {
    const gz = await file("capture.jsonl.gz", gzipSync(readFileSync(CAPTURE)));
    const why = "it is gzip-compressed: decompress it first \\(a recording is plain JSON lines\\)";
    const runs: [readonly string[], string][] = [
      [["verify", gz], `kraken-ladder verify: cannot read ${gz}: ${why}`],
      [["--replay", gz, "--json"], `kraken-ladder: cannot replay ${gz}: ${why}`],
      [["serve", "--replay", gz, "--port", "0"], `kraken-ladder: cannot replay ${gz}: ${why}`],
      [["simulate", "--replay", gz], `kraken-ladder simulate: cannot serve ${gz}: ${why}`],
    ];
    for (const [args, message] of runs) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr, args.join(" ")).toMatch(new RegExp(`^${message}\\n$`));
    }
  });

  it("a missing file or a directory: each command says what the file system said, once, after the path", async () => {
    const missing = join(dir, "missing.jsonl");
    const runs: [readonly string[], string][] = [];
    for (const [path, why] of [
      [missing, "ENOENT: no such file or directory"],
      [dir, "EISDIR: illegal operation on a directory"],
    ] as const) {
      runs.push(
        [["verify", path], `kraken-ladder verify: cannot read ${path}: ${why}`],
        [["--replay", path, "--json"], `kraken-ladder: cannot replay ${path}: ${why}`],
        [["serve", "--replay", path, "--port", "0"], `kraken-ladder: cannot replay ${path}: ${why}`],
        [["simulate", "--replay", path], `kraken-ladder simulate: cannot serve ${path}: ${why}`],
      );
    }
    // --record to a directory (the file system's word, once) or into a folder that is not there.
    runs.push(
      [
        ["--demo", "--json", "--record", dir],
        `kraken-ladder: cannot record to ${dir}: EISDIR: illegal operation on a directory`,
      ],
      [
        ["--demo", "--json", "--record", join(missing, "x.jsonl")],
        `kraken-ladder: cannot record to ${join(missing, "x.jsonl")}: ENOENT: no such file or directory`,
      ],
    );
    for (const [args, message] of runs) {
      const r = await runCli(args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr, args.join(" ")).toBe(`${message}\n`);
    }
  });

  it("with several files, one with nothing to verify fails the run and is the one named", async () => {
    const empty = await file("empty-2.jsonl", "");
    const r = await runCli(["verify", "--json", CAPTURE, empty]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.checksums).toEqual({ ok: 301, failed: 0 });
    expect(report.unverified).toEqual([empty]);
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      `kraken-ladder verify: nothing verified in ${empty}: it has no frames (it is empty or blank)`,
    ]);
  });

  it("escapes control and format characters in symbols and parser messages, in the table and in --json", async () => {
    const symbol = "EVIL\u001b]0;pwned\u0007\u009b2J\u202e/USD";
    const path = await file(
      "controls.jsonl",
      lines([...renamed(symbol), "\u009b31m\u202egarbage", "\u001b[2Jmore"]),
    );
    const text = await runCli(["verify", path]);
    expect(text.code).toBe(0);
    for (const line of (text.stdout + text.stderr).split("\n")) expect(line).not.toMatch(RAW_UNSAFE);
    expect(text.stdout).toContain("EVIL\\u001b]0;pwned\\u0007\\u009b2J\\u202e/USD");
    expect(text.stdout).toMatch(/^2 invalid lines:$/m);
    const json = await runCli(["verify", "--json", path]);
    expect(json.stdout.trimEnd()).not.toMatch(RAW_UNSAFE);
    const report = JSON.parse(json.stdout) as Report & { errors: { message: string }[] };
    expect(Object.keys(report.symbols)).toEqual([symbol]);
    expect(report.errors).toHaveLength(2);
  });
});

describe("kraken-ladder verify and --replay on a line longer than the reader holds", () => {
  it("a line of 257 MiB and a byte (a hole in a sparse file) is listed and skipped; every frame around it is read", async () => {
    // The capture's first 100 lines, one line of MAX_LINE_BYTES + 1 zero bytes (no disk used), the rest.
    const path = await file("long-line.jsonl", lines(capture.slice(0, 100)));
    const long = MAX_LINE_BYTES + 1;
    await truncate(path, Buffer.byteLength(lines(capture.slice(0, 100))) + long);
    await appendFile(path, "\n" + lines(capture.slice(100)));

    const json = await runCli(["verify", "--json", path], { timeoutMs: 60_000 });
    expect(json.stderr).toBe("");
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Report & { frames: number; errors: unknown[] };
    expect(report.checksums).toEqual({ ok: 301, failed: 0 });
    expect(report.frames).toBe(378);
    expect(report.errors).toEqual([{ file: path, line: 101, message: longLineMessage(long) }]);

    // Through a pipe (reads of 64 KiB at most), as the table says it.
    const piped = spawnSync("sh", ["-c", `cat '${path}' | "$NODE" "$BIN" verify -`], {
      encoding: "utf8",
      env: { ...process.env, BIN, NODE: process.execPath },
    });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toMatch(/^checksums: 301 ok, 0 failed$/m);
    expect(piped.stdout).toContain(
      `1 invalid line:\n  stdin:101: line too long: ${long} bytes, over the 257 MiB a recorded frame can be (not read)\n`,
    );

    // --replay passes over it as over any line that is not a frame: the book is served and verified whole.
    const replay = await runCli(["--replay", path, "--json", "--speed", "max"], { timeoutMs: 60_000 });
    expect(replay.code).toBe(0);
    expect(replay.stderr).toBe("");
    expect(replay.stdout).toMatch(/"checksums":\{"ok":301,"failed":0\}/);
  }, 120_000);
});

describe("kraken-ladder verify: trade-id continuity", () => {
  const trade = (symbol: string, id: number): string =>
    `{"symbol":"${symbol}","side":"buy","price":63388.8,"qty":0.00165,"ord_type":"market","trade_id":${id},"timestamp":"2026-08-02T03:35:51.123456Z"}`;
  const frame = (type: string, ...trades: string[]): string =>
    `{"channel":"trade","type":"${type}","data":[${trades.join(",")}]}`;

  it("names the pair and the ids of every gap, beside the checksum table, and exits 1", async () => {
    const path = await file(
      "gap.jsonl",
      lines([
        ...capture.slice(0, 30),
        frame("snapshot", trade("BTC/USD", 1001), trade("BTC/USD", 1002)),
        frame("update", trade("BTC/USD", 1003)),
        frame("update", trade("ETH/USD", 7)),
        frame("update", trade("BTC/USD", 1005)),
        frame("update", trade("ETH/USD", 8)),
        // No renewal follows in the file: the ids are read on from the jump, so later breaks count too.
        frame("update", trade("BTC/USD", 1006)),
        frame("update", trade("BTC/USD", 1006)),
        frame("update", trade("BTC/USD", 1007), trade("BTC/USD", 1009), trade("BTC/USD", 1010)),
      ]),
    );
    const text = await runCli(["verify", path]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^checksums: \d+ ok, 0 failed$/m);
    expect(text.stdout).toMatch(/^BTC\/USD\s+8\s+3$/m);
    expect(text.stdout).toMatch(/^ETH\/USD\s+2\s+0$/m);
    expect(text.stdout).toMatch(/^trade ids: 3 gaps {2}\(GAP\)$/m);
    expect(text.stdout).toContain("gap.jsonl:34: BTC/USD expected trade id 1004, got 1005");
    expect(text.stdout).toContain("gap.jsonl:37: BTC/USD expected trade id 1007, got 1006");
    const json = await runCli(["verify", "--json", path]);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { trades: Record<string, unknown> };
    expect(report.trades).toEqual({
      "BTC/USD": {
        trades: 8,
        gaps: [
          { expected: 1004, got: 1005, file: path, line: 34 },
          { expected: 1007, got: 1006, file: path, line: 37 },
          { expected: 1008, got: 1009, file: path, line: 38 },
        ],
      },
      "ETH/USD": { trades: 2, gaps: [] },
    });
  });

  it("- reads stdin: a compressed recording decompressed on the way, named stdin in the report", async () => {
    const gz = await file("piped.jsonl.gz", gzipSync(readFileSync(CAPTURE)));
    const sh = (command: string) =>
      spawnSync("sh", ["-c", command], {
        encoding: "utf8",
        env: { ...process.env, BIN, NODE: process.execPath },
      });
    const piped = sh(`gzip -dc '${gz}' | "$NODE" "$BIN" verify -`);
    expect(piped.status).toBe(0);
    expect(piped.stdout).toMatch(/^stdin: 377 frames$/m);
    expect(piped.stdout).toMatch(/^checksums: 301 ok, 0 failed$/m);
    // Beside a file, and as the file each problem is in.
    const gap = await file(
      "piped-gap.jsonl",
      lines([
        ...capture.slice(0, 30),
        frame("snapshot", trade("BTC/USD", 1)),
        frame("update", trade("BTC/USD", 3)),
      ]),
    );
    const json = sh(`"$NODE" "$BIN" verify --json '${CAPTURE}' - < '${gap}'`);
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { trades: Record<string, unknown> };
    expect(report.trades).toEqual({
      "BTC/USD": { trades: expect.any(Number), gaps: [{ expected: 2, got: 3, file: "stdin", line: 32 }] },
    });
    // Still compressed: said as for a file.
    const raw = sh(`"$NODE" "$BIN" verify - < '${gz}'`);
    expect([raw.status, raw.stdout, raw.stderr]).toEqual([
      2,
      "",
      "kraken-ladder verify: cannot read stdin: it is gzip-compressed: decompress it first (a recording is plain JSON lines)\n",
    ]);
  });

  it("accepts a resubscription snapshot that overlaps what was seen, and exits 0", async () => {
    const path = await file(
      "overlap.jsonl",
      lines([
        ...capture.slice(0, 30),
        frame("snapshot", trade("BTC/USD", 1001), trade("BTC/USD", 1002)),
        frame("snapshot", trade("BTC/USD", 1001), trade("BTC/USD", 1002), trade("BTC/USD", 1003)),
        frame("update", trade("BTC/USD", 1004)),
      ]),
    );
    const text = await runCli(["verify", path]);
    expect(text.stdout).toMatch(/^BTC\/USD\s+4\s+0$/m);
    expect(text.stdout).toMatch(/^trade ids: continuous$/m);
    expect(text.code).toBe(0);
  });
});
