import * as ansi from "@alcalzone/ansi-tokenize";
import chalk from "chalk";
import fc from "fast-check";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import stringWidth from "string-width";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COLOR_THEME, MONO_THEME } from "../../src/ui/colors.js";
import {
  createFastGet,
  fastSanitizeAnsi,
  fastStringWidth,
  installFastOutput,
  isSimple,
  outputStats,
  simpleRow,
  simpleWidth,
  StyleMemo,
} from "../../src/ui/ink-fast.js";
import { renderFrame } from "../../src/ui/render-frame.js";
import { btcBook, ethBook, feedView, NOW } from "./helpers/views.js";

// Ink's own output stage, unchanged (loaded from node_modules, not from the bundle), as the reference.
type Transformer = (line: string, index: number) => string;
type InkOutput = {
  write(x: number, y: number, text: string, options: { transformers: Transformer[] }): void;
  clip(clip: { x1?: number; x2?: number; y1?: number; y2?: number }): void;
  unclip(): void;
  get(): { output: string; height: number };
  readonly width: number;
  readonly height: number;
  readonly operations: never[];
};
type OutputClass = new (options: { width: number; height: number }) => InkOutput;
const inkDir = dirname(createRequire(import.meta.url).resolve("ink"));
const { default: Output } = (await import(pathToFileURL(join(inkDir, "output.js")).href)) as {
  default: OutputClass;
};
const { default: sanitizeAnsi } = (await import(pathToFileURL(join(inkDir, "sanitize-ansi.js")).href)) as {
  default: (text: string) => string;
};

const ESC = "\u001b";
/** SGR codes as chalk writes them, and a few more. */
const SGR = [0, 1, 2, 3, 4, 7, 9, 22, 23, 24, 27, 29, 31, 32, 33, 36, 37, 39, 41, 49, 90, 97].map(
  (n) => `${ESC}[${n}m`,
);
/** Characters the ladder draws, and other simple ones. */
const SIMPLE = [..." azAZ09.,:;-+/|()[]{}<>~#%&*?!'\"\\_=@^`$", ..."─│▶●○◌↻✓✗▲▼·…—█▉▊▋▌▍▎▏", ..."é£¥°±µ×÷"];
/** What the fast paths must leave to string-width and Ink: wide, zero-width, combining, control, emoji. */
const OTHER = [
  "漢",
  "🚫",
  "\u0301",
  "\u200d",
  "\ufe0f",
  "\t",
  "\u00ad",
  ESC,
  `${ESC}[38;5;9m`,
  `${ESC}[m`,
  "\u1100\u1161",
];

const simpleText = fc.array(fc.oneof(fc.constantFrom(...SIMPLE), fc.constantFrom(...SGR)), { maxLength: 60 });
const anyText = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...SIMPLE) },
    { weight: 2, arbitrary: fc.constantFrom(...SGR) },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER) },
  ),
  { maxLength: 60 },
);

/** Ink's row for one line written at x = 0 in a row `columns` wide. */
function inkRow(text: string, columns: number): string {
  const output = new Output({ width: columns, height: 1 });
  output.write(0, 0, text, { transformers: [] });
  return output.get().output;
}

/** Every line of a few real ladder frames, as Ink's <Text> styles them (chalk with colours on). */
function ladderLines(): string[] {
  const view = feedView([btcBook(), ethBook({ state: "stale" })]);
  const lines: string[] = [];
  for (const theme of [COLOR_THEME, MONO_THEME]) {
    for (const [columns, rows] of [
      [90, 20],
      [200, 60],
    ] as const) {
      const options = { symbols: ["BTC/USD", "ETH/USD"], columns, rows, now: NOW, theme };
      lines.push(
        ...renderFrame(view, options).split("\n"),
        ...renderFrame(view, { ...options, selected: 1 }).split("\n"),
      );
    }
  }
  return lines;
}

const level = chalk.level;
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});

describe("simple characters", () => {
  const simple: string[] = [];
  for (let c = 0; c < 0x10000; c++) if (isSimple(c, stringWidth)) simple.push(String.fromCharCode(c));

  it("include what the ladder draws, not wide, zero-width, combining or control characters", () => {
    for (const ch of SIMPLE) expect(isSimple(ch.charCodeAt(0), stringWidth), ch).toBe(true);
    // The one-code-unit characters of OTHER, and a few more single code units.
    for (const ch of [...OTHER.filter((s) => s.length === 1), "\u1100", "\u231a", "\ud83d"]) {
      expect(isSimple(ch.charCodeAt(0), stringWidth), ch).toBe(false);
    }
    expect(simple.length).toBeGreaterThan(2000);
  });

  it("are each one cell wide, and each a grapheme cluster of its own next to any other", () => {
    for (const ch of simple) expect(stringWidth(ch), ch).toBe(1);
    const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
    const orders = [
      simple,
      [...simple].reverse(),
      simple.filter((_, i) => i % 2 === 0).concat(simple.filter((_, i) => i % 2 === 1)),
    ];
    for (const order of orders) {
      const text = order.join("");
      expect([...segmenter.segment(text)].every((s) => s.segment.length === 1)).toBe(true);
      expect(stringWidth(text)).toBe(order.length);
    }
  });
});

describe("simpleWidth, string-width's fast path", () => {
  it("gives string-width's answer for every line of real ladder frames", () => {
    const lines = ladderLines();
    expect(lines.some((l) => l.includes(`${ESC}[3`))).toBe(true);
    for (const line of lines) expect(simpleWidth(line, stringWidth), line).toBe(stringWidth(line));
  });

  it("gives string-width's answer for simple text, and leaves any other text to it", () => {
    fc.assert(
      fc.property(simpleText, (parts) => {
        const text = parts.join("");
        expect(simpleWidth(text, stringWidth)).toBe(stringWidth(text));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(anyText, (parts) => {
        const text = parts.join("");
        const fast = simpleWidth(text, stringWidth);
        if (fast !== undefined) expect(fast).toBe(stringWidth(text));
        const wrapped = fastStringWidth(stringWidth);
        expect(wrapped(text)).toBe(stringWidth(text));
        expect(wrapped(text, { ambiguousIsNarrow: false })).toBe(
          stringWidth(text, { ambiguousIsNarrow: false }),
        );
      }),
      { numRuns: 2000 },
    );
    for (const other of OTHER) expect(simpleWidth(`ab${other}`, stringWidth), other).toBeUndefined();
  });
});

describe("simpleRow, a row of Ink's output", () => {
  it("is Ink's row for every line of real ladder frames", () => {
    for (const line of ladderLines()) {
      // Exactly as wide as the line (no blank cells after it), and wider.
      for (const columns of [Math.max(1, stringWidth(line)), 200])
        expect(simpleRow(line, columns, ansi, stringWidth), line).toBe(inkRow(line, columns));
    }
  });

  it("gives back the line itself where Ink writes it unchanged, and builds it from the first difference", () => {
    const red = "\u001b[31m";
    const bold = "\u001b[1m";
    const cases = [
      `${red}1.5${"\u001b[39m"}  2.0`, // as chalk writes it: unchanged
      `${bold}a${"\u001b[22m"}${bold}b${"\u001b[22m"}`, // a style closed and opened again between cells: dropped
      `a  ${red}b${"\u001b[39m"}   `, // trailing blanks: trimmed
      `${red}${bold}x${"\u001b[22m"}${"\u001b[39m"}`, // two styles closed: Ink's order
      `${red}${"\u001b[39m"}`, // styles and no cell
    ];
    for (const text of cases) expect(simpleRow(text, 40, ansi, stringWidth), text).toBe(inkRow(text, 40));
    const unchanged = cases[0] ?? "";
    expect(inkRow(unchanged, 40)).toBe(unchanged);
    expect(inkRow(cases[1] ?? "", 40)).not.toBe(cases[1]);
  });

  it("is Ink's row for simple text at any width it fits, and leaves any other text to Ink", () => {
    fc.assert(
      fc.property(simpleText, fc.integer({ min: 1, max: 80 }), (parts, columns) => {
        const text = parts.join("");
        const width = stringWidth(text);
        const row = simpleRow(text, columns, ansi, stringWidth);
        if (width > columns) expect(row).toBeUndefined();
        else expect(row).toBe(inkRow(text, columns));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 80 }), (parts, columns) => {
        const text = parts.join("");
        const row = simpleRow(text, columns, ansi, stringWidth);
        if (row !== undefined) expect(row).toBe(inkRow(text, columns));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("fastSanitizeAnsi, Ink's sanitizeAnsi's fast path", () => {
  const controls = [
    "\u0007",
    "\u009b31m",
    "\u009b2J",
    "\u0085",
    "\u009d0;t\u0007",
    `${ESC}[2J`,
    `${ESC}]0;title\u0007`,
    `${ESC}7`,
    `${ESC}[?25l`,
  ];
  it("gives Ink's answer for real ladder lines, any text, and text with control sequences Ink drops", () => {
    const fast = fastSanitizeAnsi(sanitizeAnsi);
    const lines = ladderLines();
    expect(fast(lines.join("\n"))).toBe(sanitizeAnsi(lines.join("\n")));
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            anyText.map((p) => p.join("")),
            fc.constantFrom(...controls),
          ),
        ),
        (parts) => {
          const text = parts.join("");
          expect(fast(text)).toBe(sanitizeAnsi(text));
        },
      ),
      { numRuns: 3000 },
    );
    for (const c of controls) expect(fast(`a${c}b`)).toBe(sanitizeAnsi(`a${c}b`));
    expect(sanitizeAnsi(`a${ESC}[2Jb`)).toBe("ab");
  });
});

describe("the memory of styles", () => {
  it("stays right when it starts afresh, with every plain SGR code there is", () => {
    const memo = new StyleMemo(ansi);
    const anyCode = fc.integer({ min: 0, max: 999 }).map((n) => `${ESC}[${n}m`);
    const text = fc.array(fc.oneof(fc.constantFrom(...SIMPLE), anyCode), { maxLength: 40 });
    fc.assert(
      fc.property(text, (parts) => {
        const line = parts.join("");
        const row = simpleRow(line, 60, ansi, stringWidth, memo);
        if (stringWidth(line) <= 60) expect(row).toBe(inkRow(line, 60));
      }),
      { numRuns: 3000 },
    );
    expect(memo.size).toBeLessThanOrEqual(StyleMemo.LIMIT);
  });
});

type Op =
  | { kind: "write"; x: number; y: number; text: string; transform: boolean }
  | { kind: "clip" }
  | { kind: "unclip" };

describe("the fast Output.get", () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant("write" as const),
        x: fc.oneof(
          { weight: 5, arbitrary: fc.constant(0) },
          { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) },
        ),
        y: fc.integer({ min: 0, max: 6 }),
        text: fc.oneof(
          { weight: 5, arbitrary: simpleText.map((p) => p.join("")) },
          { weight: 1, arbitrary: anyText.map((p) => p.join("")) },
          {
            weight: 2,
            arbitrary: fc
              .array(
                simpleText.map((p) => p.join("")),
                { minLength: 2, maxLength: 4 },
              )
              .map((lines) => lines.join("\n")),
          },
        ),
        transform: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.constantFrom({ kind: "clip" as const }, { kind: "unclip" as const }) },
  );
  const bold: Transformer = (line, index) => (index === 1 ? chalk.bold(line) : chalk.dim(line));

  function draw(output: InkOutput, ops: readonly Op[]): void {
    for (const o of ops) {
      if (o.kind === "clip") output.clip({ x1: 0, x2: 10, y1: 0, y2: 3 });
      else if (o.kind === "unclip") output.unclip();
      else output.write(o.x, o.y, o.text, { transformers: o.transform ? [bold] : [] });
    }
  }

  it("draws what Ink draws, frame after frame, or leaves the frame to Ink", () => {
    const fastGet = createFastGet(ansi, stringWidth);
    let fast = 0;
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 12 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 8 }),
        (ops, width, height) => {
          const output = new Output({ width, height });
          draw(output, ops);
          const got = fastGet(output);
          if (got === undefined) return;
          fast++;
          const reference = new Output({ width, height });
          draw(reference, ops);
          expect(got).toEqual(reference.get());
        },
      ),
      { numRuns: 3000 },
    );
    expect(fast).toBeGreaterThan(300);
  });

  it("draws a whole ladder frame, and the same frame again from its cache", () => {
    const fastGet = createFastGet(ansi, stringWidth);
    const lines = ladderLines().slice(0, 60);
    const output = new Output({ width: 200, height: 62 });
    lines.forEach((line, y) => output.write(0, y, line, { transformers: [] }));
    const reference = output.get();
    expect(fastGet(output)).toEqual(reference);
    expect(fastGet(output)).toEqual(reference);
  });

  it("is installed on an Output class, and keeps one of its Outputs alive for good", () => {
    const made: object[] = [];
    // A subclass, so Ink's own class stays as it is for the other tests.
    class Probe extends Output {
      constructor(options: { width: number; height: number }) {
        super(options);
        made.push(this);
      }
    }
    installFastOutput(Probe, ansi, stringWidth);
    // The one kept: with it, the hidden class every frame's Output shares never dies between frames.
    expect(made).toHaveLength(1);
    const lines = ladderLines().slice(0, 60);
    const probe = new Probe({ width: 200, height: 62 });
    const reference = new Output({ width: 200, height: 62 });
    for (const output of [probe, reference])
      lines.forEach((line, y) => output.write(0, y, line, { transformers: [] }));
    const fast = outputStats.fast;
    expect(probe.get()).toEqual(reference.get());
    expect(outputStats.fast).toBe(fast + 1);
  });
});
