import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { BLOCK_SLACK, forEachLine, MAX_LINE_BYTES, readBlocks } from "../../src/recording/lines.js";
import { parseBytes } from "../../src/cli/parsers.js";
import { LARGEST_MAX_FRAME } from "../../src/protocol/types.js";

/**
 * The line reader's bound: a line longer than it holds (MAX_LINE_BYTES, made small here) is skipped without
 * being held, reported in its place, and every other line is read as before.
 */

const CHUNK = 2 ** 16;
/** A cap over one read, so the buffer grows before it is reached (64 KiB, then straight to the cap). */
const CAP = 3 * CHUNK;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-lines-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `lines-${++counter}`);
  await writeFile(path, content);
  return path;
}

type Event = { line: string; lineNo: number } | { long: number; lineNo: number };

/** What forEachLine hands out for a file, lines and long lines in order, with `cap` as its bound. */
function events(path: string, cap: number): Event[] {
  const out: Event[] = [];
  forEachLine(
    path,
    (line, lineNo) => out.push({ line, lineNo }),
    (lineNo, bytes) => out.push({ long: bytes, lineNo }),
    cap,
  );
  return out;
}

/** What forEachLine should hand out: the lines split on `\n`, those over `cap` bytes by their length. */
function expected(content: string, cap: number): Event[] {
  const parts = content.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map((part, i) => {
    const bytes = Buffer.byteLength(part);
    if (bytes > cap) return { long: bytes, lineNo: i + 1 };
    // A `\r` before a `\n` is dropped, and so is a lone `\r` ending the file.
    return { line: part.endsWith("\r") ? part.slice(0, -1) : part, lineNo: i + 1 };
  });
}

/** readBlocks on a file: the text of each block, each long line's length, and the largest buffer it used. */
function blocks(path: string, cap: number): { seen: (string | number)[]; largest: number } {
  const seen: (string | number)[] = [];
  let largest = 0;
  readBlocks(
    path,
    (bytes, start, end) => {
      largest = Math.max(largest, bytes.length);
      seen.push(bytes.toString("latin1", start, end));
    },
    (bytes) => seen.push(bytes),
    cap,
  );
  return { seen, largest };
}

describe("readBlocks and forEachLine: a line longer than the cap", () => {
  const good = (n: number): string[] =>
    Array.from({ length: n }, (_, i) => `{"line":${i},"pad":"${"x".repeat(i * 97)}"}`);

  it("is skipped, never held: the lines around it are all read, and the buffer never grows past the cap", async () => {
    const long = "a".repeat(2 * CAP);
    const before = good(40);
    const after = good(30);
    const content = [...before, long, ...after].join("\n") + "\n";
    const path = await file(content);

    const { seen, largest } = blocks(path, CAP);
    // The buffer: the cap, its `\n` and the slack; never the 2×cap line.
    expect(largest).toBeLessThanOrEqual(CAP + 1 + BLOCK_SLACK);
    const at = seen.indexOf(2 * CAP);
    expect(at).toBeGreaterThan(0);
    expect(seen.filter((s) => typeof s === "number")).toEqual([2 * CAP]);
    expect(seen.slice(0, at).join("")).toBe(before.map((l) => l + "\n").join(""));
    expect(seen.slice(at + 1).join("")).toBe(after.map((l) => l + "\n").join(""));

    expect(events(path, CAP)).toEqual(expected(content, CAP));
    expect(events(path, CAP)[40]).toEqual({ long: 2 * CAP, lineNo: 41 });
    expect(events(path, CAP).at(-1)).toEqual({ line: after.at(-1), lineNo: 71 });
  });

  it("a file with no newline at all (like /dev/zero) is one long line, reported once at its end, nothing held", async () => {
    for (const size of [CAP + 1, 2 * CAP, 10 * CAP + 12345]) {
      const path = await file(Buffer.alloc(size));
      const { seen, largest } = blocks(path, CAP);
      expect(seen, `${size}`).toEqual([size]);
      expect(largest, `${size}`).toBeLessThanOrEqual(CAP + 1 + BLOCK_SLACK);
      expect(events(path, CAP), `${size}`).toEqual([{ long: size, lineNo: 1 }]);
    }
  });

  it("holds a line of exactly the cap, with `\\n`, `\\r\\n` (the `\\r` counts) or at the end of the file; one byte more is long", async () => {
    const at = "b".repeat(CAP);
    const over = "c".repeat(CAP + 1);
    const cases: [string, Event[]][] = [
      [
        `${at}\nz\n`,
        [
          { line: at, lineNo: 1 },
          { line: "z", lineNo: 2 },
        ],
      ],
      [
        `${over}\nz\n`,
        [
          { long: CAP + 1, lineNo: 1 },
          { line: "z", lineNo: 2 },
        ],
      ],
      [
        `${at.slice(1)}\r\nz`,
        [
          { line: at.slice(1), lineNo: 1 },
          { line: "z", lineNo: 2 },
        ],
      ],
      [
        `${at}\r\nz`,
        [
          { long: CAP + 1, lineNo: 1 },
          { line: "z", lineNo: 2 },
        ],
      ],
      [
        `z\n${at}`,
        [
          { line: "z", lineNo: 1 },
          { line: at, lineNo: 2 },
        ],
      ],
      [
        `z\n${over}`,
        [
          { line: "z", lineNo: 1 },
          { long: CAP + 1, lineNo: 2 },
        ],
      ],
    ];
    for (const [content, want] of cases) {
      const path = await file(content);
      expect(events(path, CAP)).toEqual(want);
      expect(blocks(path, CAP).largest).toBeLessThanOrEqual(CAP + 1 + BLOCK_SLACK);
    }
  });

  it("long lines first, last, back to back, and a long line's `\\n` at the very start of a read", async () => {
    const long = (n: number, c: string): string => c.repeat(n);
    for (const content of [
      `${long(2 * CAP, "a")}\n${long(CAP + 7, "b")}\n\n${long(3 * CAP, "c")}\nend`,
      `ok\n${long(4 * CAP, "d")}`,
      // The skip reads CAP + 1 bytes at a time: this line's `\n` is the first byte of a read.
      `${long(2 * (CAP + 1), "e")}\nnext\n`,
      `${long(2 * (CAP + 1) - 1, "f")}\nnext\n`,
      `${long(CAP + 1, "€")}\r\n€\r\n`,
    ]) {
      const path = await file(content);
      expect(events(path, CAP)).toEqual(expected(content, CAP));
      expect(blocks(path, CAP).largest).toBeLessThanOrEqual(CAP + 1 + BLOCK_SLACK);
    }
  });

  it("splits any mix of short and long lines as a reference splitter does, at any cap", async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 20 }).map((s) => s.replaceAll("\n", " ")),
      fc
        .record({ n: fc.integer({ min: 1, max: 4 * CHUNK }), c: fc.constantFrom("x", "é", "\r") })
        .map(({ n, c }) => c.repeat(n)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 8 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 * CHUNK }),
        async (ls, lastNewline, cap) => {
          const content = ls.join("\n") + (lastNewline && ls.length > 0 ? "\n" : "");
          const path = await file(content);
          expect(events(path, cap)).toEqual(expected(content, cap));
          expect(blocks(path, cap).largest).toBeLessThanOrEqual(cap + 1 + BLOCK_SLACK);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("MAX_LINE_BYTES, the reader's cap", () => {
  it("is over the largest frame --max-frame can let in, so no recorded frame is skipped", () => {
    expect(parseBytes(`${LARGEST_MAX_FRAME}`)).toBe(LARGEST_MAX_FRAME);
    expect(() => parseBytes(`${LARGEST_MAX_FRAME + 1}`)).toThrow(/256MiB/);
    expect(MAX_LINE_BYTES).toBeGreaterThan(LARGEST_MAX_FRAME);
    expect(MAX_LINE_BYTES).toBe(257 * 1024 * 1024);
  });
});
