import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import xterm from "@xterm/headless";
import { build } from "esbuild";
import fc from "fast-check";
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleOptions, ROOT } from "../../build/options.mjs";
import { dependencyPatches, PATCHES } from "../../build/patches.mjs";
import { createLineUpdate } from "../../src/ui/line-update.js";

// The checks run in a real terminal emulator (xterm.js, headless): what matters is the screen a write leaves.
const { Terminal } = xterm;
type Term = InstanceType<typeof Terminal>;
const run = promisify(execFile);
const lineUpdate = createLineUpdate(stringWidth);

/** A terminal that turns "\n" into a new line at column 1, as a tty's output processing (ONLCR) does. */
function terminal(columns: number, rows: number): Term {
  return new Terminal({ cols: columns, rows, scrollback: 0, convertEol: true, allowProposedApi: true });
}
const write = (term: Term, data: string): Promise<void> => new Promise((done) => term.write(data, done));

/** Every cell of every row: its character and everything that styles it. */
function screen(term: Term): string[] {
  const rows: string[] = [];
  const buffer = term.buffer.active;
  const cell = buffer.getNullCell();
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(y);
    let row = "";
    for (let x = 0; line !== undefined && x < term.cols; x++) {
      line.getCell(x, cell);
      const flags = [
        cell.isBold(),
        cell.isDim(),
        cell.isItalic(),
        cell.isUnderline(),
        cell.isBlink(),
        cell.isInverse(),
        cell.isInvisible(),
        cell.isStrikethrough(),
        cell.isOverline(),
      ]
        .map((f) => (f ? 1 : 0))
        .join("");
      const fg = `${cell.getFgColorMode()}:${cell.getFgColor()}`;
      const bg = `${cell.getBgColorMode()}:${cell.getBgColor()}`;
      row += `${cell.getChars() || " "}/${cell.getWidth()}/${flags}/${fg}/${bg}|`;
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Row 0 after writing `prev` as Ink does and then the update to `next`, and after writing `next` as Ink
 * does on a fresh terminal; each followed by a character on the next row, which must come out unstyled.
 */
async function bothWays(prev: string, next: string, columns = 40) {
  const updated = terminal(columns, 2);
  await write(updated, `\u001b[1G${prev}\u001b[K`);
  await write(updated, `\u001b[H${lineUpdate(prev, next)}`);
  const cursorRow = updated.buffer.active.cursorY;
  await write(updated, "\nZ");
  const whole = terminal(columns, 2);
  await write(whole, `\u001b[1G${next}\u001b[K\nZ`);
  return { updated: screen(updated), whole: screen(whole), cursorRow };
}

describe("writing only the changed cells of a line", () => {
  it("writes a changed run after a cursor move, in the style it has in the new line, and nothing else", () => {
    const prev = "\u001b[32m63005.5\u001b[39m  0.20655278  │ 02:02:31 ▼ S";
    const next = "\u001b[32m63005.5\u001b[39m  0.20671278  │ 02:02:31 ▼ S";
    expect(lineUpdate(prev, next)).toBe("\u001b[15G71");
    // A change in a green figure: green is set for it, and reset after it.
    expect(lineUpdate(prev, prev.replace("5.5", "5.7"))).toBe("\u001b[7G\u001b[32m7\u001b[0m");
    // The same cells written differently: nothing to write.
    expect(lineUpdate("\u001b[1mab\u001b[22m", "\u001b[1ma\u001b[22m\u001b[1mb\u001b[22m")).toBe("");
  });

  it("erases what a shorter line no longer covers, and writes changes far apart as separate runs", () => {
    expect(lineUpdate("abcdef", "abc")).toBe("\u001b[4G\u001b[K");
    expect(lineUpdate("abcdef", "abXd")).toBe("\u001b[3GXd\u001b[K");
    expect(lineUpdate("a".repeat(30), `b${"a".repeat(28)}b`)).toBe("\u001b[1Gb\u001b[30Gb");
    // Unchanged cells closer together than a cursor move and its style are written again instead.
    expect(lineUpdate("a".repeat(30), `b${"a".repeat(4)}b${"a".repeat(24)}`)).toBe("\u001b[1Gbaaaab");
  });

  it("writes the whole line, as Ink does, for text it does not handle", () => {
    const whole = (next: string): string => `\u001b[1G${next}\u001b[K`;
    // A row the last frame did not draw; wide and combining characters; other escapes; an unknown code;
    // 256-colour codes; a line that leaves a style set.
    expect(lineUpdate(undefined, "abc")).toBe(whole("abc"));
    for (const next of [
      "通貨 pair",
      "e\u0301 pair",
      "a\u001b]8;;https://x\u0007link\u001b]8;;\u0007",
      "\u001b[21mdouble\u001b[24m",
      "\u001b[38;5;208morange\u001b[39m",
      "\u001b[1mbold",
      "tab\there",
    ])
      expect(lineUpdate("plain text", next)).toBe(whole(next));
    expect(lineUpdate("通貨", "plain")).toBe(whole("plain"));
  });

  it("leaves the screen as writing the whole line does, for any two lines (generated)", async () => {
    // Not a tab: it moves the cursor without writing the cells it passes, and Ink's text never has one.
    const CHARS = [..."abc 0123456789.,~│─·●◌▲▼█▉▏▶✓✗…", "通", "e\u0301"];
    const plainChar = fc.constantFrom(...CHARS.slice(0, 30));
    const anyChar = fc.oneof(
      { weight: 30, arbitrary: plainChar },
      { weight: 1, arbitrary: fc.constantFrom(...CHARS.slice(30)) },
    );
    // A run of text with the open and close codes chalk writes (and now and then a reset or an unknown one).
    const run = fc.record({
      text: fc.array(anyChar, { minLength: 1, maxLength: 8 }).map((a) => a.join("")),
      codes: fc.subarray([
        ["1", "22"],
        ["2", "22"],
        ["3", "23"],
        ["4", "24"],
        ["7", "27"],
        ["9", "29"],
        ["31", "39"],
        ["92", "39"],
        ["42", "49"],
        ["103", "49"],
        ["0", "0"],
        ["38;5;9", "39"],
      ]),
    });
    const line = fc
      .array(run, { maxLength: 6 })
      .map((runs) =>
        runs
          .map(
            ({ text, codes }) =>
              codes.map(([on]) => `\u001b[${on}m`).join("") +
              text +
              codes.map(([, off]) => `\u001b[${off}m`).join(""),
          )
          .join(""),
      )
      .filter((text) => stringWidth(text) <= 40);
    // The new line: the old one with a few of its runs changed, or another line altogether.
    const pair = fc.oneof(
      fc.tuple(line, line),
      line.chain((prev) =>
        fc
          .tuple(fc.nat(prev.length), fc.nat(prev.length), line)
          .map(([from, to, middle]) => {
            const [a, b] = from <= to ? [from, to] : [to, from];
            // Cut only between escapes, so the ends stay well formed.
            let head = prev.slice(0, a);
            const open = head.lastIndexOf("\u001b");
            if (open >= 0 && !head.slice(open).includes("m")) head = head.slice(0, open);
            const tail = prev.slice(b).replace(/^\[?[0-9;]*m/, "");
            return [prev, head + middle + tail] as const;
          })
          .filter(([, next]) => stringWidth(next) <= 40),
      ),
    );
    await fc.assert(
      fc.asyncProperty(pair, async ([prev, next]) => {
        const { updated, whole, cursorRow } = await bothWays(prev, next);
        expect(updated).toEqual(whole);
        expect(cursorRow).toBe(0);
      }),
      { numRuns: 400 },
    );
  });
});

describe("Ink's incremental renderer with the build-time change (ink/build/log-update.js)", () => {
  let scratch: string;
  const LOG_UPDATE = PATCHES.find((p) => p.file === "node_modules/ink/build/log-update.js");

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "kraken-ladder-line-update-"));
    const entry = join(scratch, "entry.js");
    await writeFile(
      entry,
      `export { default } from ${JSON.stringify(join(ROOT, "node_modules/ink/build/log-update.js"))};\n`,
    );
    // Ink's log-update bundled as dist/ bundles it, with the change and as it comes.
    for (const [name, patched] of [
      ["patched", true],
      ["stock", false],
    ] as const) {
      await build({
        ...bundleOptions({ entryPoints: [entry], outdir: join(scratch, name), patched: false }),
        outbase: scratch,
        plugins: patched && LOG_UPDATE !== undefined ? [dependencyPatches(ROOT, [LOG_UPDATE])] : [],
        splitting: false,
        sourcemap: false,
        logLevel: "silent",
      });
    }
  }, 60_000);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("leaves each real ladder frame on screen exactly as drawing it whole does, in fewer bytes", async () => {
    const [columns, rows] = [200, 60];
    const { stdout } = await run(
      process.execPath,
      [
        fileURLToPath(new URL("./fixtures/ladder-frames.mjs", import.meta.url)),
        join(ROOT, "dist"),
        "color",
        "80",
        `${columns}x${rows}`,
      ],
      { env: { ...process.env, FORCE_COLOR: "1" }, maxBuffer: 64 << 20 },
    );
    const { frames } = JSON.parse(stdout) as { frames: string[] };
    expect(frames.length).toBe(80);
    type LogUpdate = { create: (stream: object, options: object) => (text: string) => boolean };
    const bytes: Record<string, number> = {};
    for (const name of ["patched", "stock"]) {
      const { default: logUpdate } = (await import(pathToFileURL(join(scratch, name, "entry.js")).href)) as {
        default: LogUpdate;
      };
      const term = terminal(columns, rows);
      const fresh = terminal(columns, rows);
      let written = 0;
      const stream = {
        isTTY: true,
        columns,
        rows,
        write(chunk: string) {
          written += Buffer.byteLength(chunk);
          term.write(chunk);
          return true;
        },
      };
      const render = logUpdate.create(stream, { incremental: true, showCursor: true });
      for (const [i, frame] of frames.entries()) {
        render(frame);
        await write(term, "");
        await write(fresh, `\u001bc${frame}`);
        expect(screen(term), `${name} frame ${i}`).toEqual(screen(fresh));
      }
      bytes[name] = written;
    }
    // 0.50× here, where the selection or the grouping changes every frame and the books move at 5 × 1,000
    // msg/s; in the running ladder at 5 × 20 msg/s about a quarter (BENCHMARKS.md).
    expect(bytes["patched"]).toBeLessThan((bytes["stock"] ?? 0) * 0.6);
  }, 120_000);
});
