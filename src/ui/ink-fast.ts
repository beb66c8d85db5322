/**
 * Fast paths for Ink 6.8's text measurement, sanitising and output stage, put into string-width,
 * ink/build/sanitize-ansi.js and ink/build/output.js when the bundle is built (build/patches.mjs). Each
 * returns exactly what the code it stands in for returns (test/ui/ink-fast.test.ts compares them on real
 * ladder lines and generated text, test/ui/ink-patches.test.ts whole frames drawn by the bundle and by stock
 * Ink), or hands the input to
 * that code when it is not one it handles.
 *
 * What they handle is "simple text": characters that each take one terminal cell and each form a grapheme
 * cluster of their own (printable ASCII, Latin-1, and the punctuation, arrow, box-drawing, block and
 * geometric-shape symbols the ladder draws), styled only with plain SGR codes (`ESC [ digits m`, which is
 * what chalk writes for the ladder's colours, bold, dim and inverse). For such text:
 * - its width is the number of visible characters: string-width strips exactly those SGR codes, splits
 *   the rest into one-character clusters and gives each the width it has alone (1);
 * - Ink's sanitizeAnsi keeps it as it is (it drops control sequences other than SGR codes);
 * - a row of Ink's output holding one such line at x = 0 serialises to what `styledCharsToString` makes of
 *   its cells, computed here per run of equally styled characters (with ansi-tokenize's own reduce and diff
 *   functions, remembered per style) instead of per character: between two equally styled cells the diff is
 *   empty.
 * Ink's generic path builds an object per cell of the screen, tokenises every line with Intl.Segmenter and
 * measures each grapheme with an emoji regular expression, every frame: at 200×60, about 40 ms of a 45 ms
 * frame before these paths, well under a millisecond after.
 */
import type { AnsiCode, Token } from "@alcalzone/ansi-tokenize";

type Width = (text: string) => number;

/** The ansi-tokenize functions Ink's output.js uses (passed in from its own imports). */
export type AnsiTokenize = {
  readonly tokenize: (text: string) => Token[];
  readonly reduceAnsiCodesIncremental: (codes: AnsiCode[], newCodes: AnsiCode[]) => AnsiCode[];
  readonly diffAnsiCodes: (from: AnsiCode[], to: AnsiCode[]) => AnsiCode[];
  readonly ansiCodesToString: (codes: AnsiCode[]) => string;
};

const ESC = 0x1b;

/**
 * Code units that may be simple characters, before their width is checked: ranges with no grapheme-cluster
 * joiners (no combining marks, variation selectors, zero-width joiners, format or control characters, Hangul
 * jamo, surrogates). Within them a character is its own cluster next to any other such character.
 */
function inSimpleRange(c: number): boolean {
  return (
    (c >= 0x20 && c <= 0x7e) ||
    (c >= 0xa0 && c <= 0xff && c !== 0xad) ||
    (c >= 0x2010 && c <= 0x2027) ||
    (c >= 0x2030 && c <= 0x205e) ||
    (c >= 0x2070 && c <= 0x20cf) ||
    (c >= 0x2100 && c <= 0x2bff)
  );
}

const GRAPHEME_BASE = /^\p{Grapheme_Base}$/u;
const MARK = /^\p{M}$/u;

/** Per width function: 0 not yet known, 1 simple, 2 not simple; indexed by UTF-16 code unit. */
const simpleTables = new WeakMap<Width, Uint8Array>();
const TABLE_SIZE = 0x2c00;

function tableFor(width: Width): Uint8Array {
  let table = simpleTables.get(width);
  if (table === undefined) {
    table = new Uint8Array(TABLE_SIZE);
    simpleTables.set(width, table);
  }
  return table;
}

/** Whether `c` is simple, remembered in `table`: in the ranges above and one cell wide by `width` itself. */
function simpleIn(table: Uint8Array, c: number, width: Width): boolean {
  if (c >= TABLE_SIZE) return false;
  let known = table[c] ?? 2;
  if (known === 0) {
    const ch = String.fromCharCode(c);
    known = inSimpleRange(c) && GRAPHEME_BASE.test(ch) && !MARK.test(ch) && width(ch) === 1 ? 1 : 2;
    table[c] = known;
  }
  return known === 1;
}

/** Whether code unit `c` is a simple character: in the ranges above and one cell wide by `width` itself. */
export function isSimple(c: number, width: Width): boolean {
  return simpleIn(tableFor(width), c, width);
}

/** `isSimple` for one `width`, its table looked up once: for a caller that asks of every character. */
export function simpleTest(width: Width): (c: number) => boolean {
  const table = tableFor(width);
  return (c) => simpleIn(table, c, width);
}

/** End (exclusive) of a plain SGR code `ESC [ digits m` starting at `i`, or -1 if there is none there. */
export function sgrEnd(text: string, i: number): number {
  if (text.charCodeAt(i + 1) !== 0x5b) return -1;
  let j = i + 2;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c >= 0x30 && c <= 0x39) j++;
    else break;
  }
  if (j === i + 2 || j - (i + 2) > 3 || text.charCodeAt(j) !== 0x6d) return -1;
  return j + 1;
}

/**
 * string-width's answer for simple text (its visible character count), or `undefined` for any other text.
 * `width` is string-width itself (used once per distinct character, to check it is one cell wide).
 */
export function simpleWidth(text: string, width: Width): number | undefined {
  const table = tableFor(width);
  let visible = 0;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      const end = sgrEnd(text, i);
      if (end < 0) return undefined;
      i = end;
    } else if (simpleIn(table, c, width)) {
      visible++;
      i++;
    } else return undefined;
  }
  return visible;
}

/** A string-width that answers simple text at once and passes anything else (or any options) to `original`. */
export function fastStringWidth(original: (text: string, options?: object) => number) {
  return function stringWidth(text: string, options?: object): number {
    if (options === undefined && typeof text === "string") {
      const w = simpleWidth(text, original);
      if (w !== undefined) return w;
    }
    return original(text, options);
  };
}

/** Whether every escape in `text` is a plain SGR code and it has no C1 control characters. */
export function plainSgrOnly(text: string): boolean {
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      const end = sgrEnd(text, i);
      if (end < 0) return false;
      i = end;
    } else if (c >= 0x80 && c <= 0x9f) return false;
    else i++;
  }
  return true;
}

/**
 * Ink's sanitizeAnsi (ink/build/sanitize-ansi.js), run on every text node of every frame, keeps SGR codes and
 * text and drops other control sequences: text whose only escapes are plain SGR codes comes back as it is,
 * without tokenising it. Anything else goes to `original`.
 */
export function fastSanitizeAnsi(original: (text: string) => string) {
  return function sanitizeAnsi(text: string): string {
    return typeof text === "string" && plainSgrOnly(text) ? text : original(text);
  };
}

/** A set of active styles, as ansi-tokenize reduces them, interned so style changes can be remembered. */
type Style = { readonly id: number; readonly codes: AnsiCode[] };

/**
 * What ansi-tokenize's pure functions gave for the styles seen so far: the token of each SGR code, the style
 * after a code, and the codes written between two styles. A row then costs a few lookups per style change
 * instead of a reduce and a diff. Bounded: it starts afresh past LIMIT entries (the ladder uses a dozen styles).
 */
export class StyleMemo {
  static readonly LIMIT = 1024;
  readonly #ansi: AnsiTokenize;
  #tokens = new Map<string, AnsiCode | null>();
  #styles = new Map<string, Style>();
  #next = new Map<number, Style>();
  #between = new Map<string, string>();
  /** Ids are never reused, so no entry made before a fresh start can be mistaken for a later style's. */
  #ids = 0;
  readonly none: Style;

  constructor(ansi: AnsiTokenize) {
    this.#ansi = ansi;
    this.none = this.#intern([]);
  }

  #intern(codes: AnsiCode[]): Style {
    const key = codes.map((c) => `${c.code}\u0001${c.endCode}`).join("\u0002");
    let style = this.#styles.get(key);
    if (style === undefined) {
      style = { id: this.#ids++, codes };
      this.#styles.set(key, style);
    }
    return style;
  }

  /**
   * The style after the plain SGR code `text[start, end)` (as `sgrEnd` found it), or `undefined` if
   * ansi-tokenize does not read it as one code. Remembered by number (the code's digits and their count fix
   * its text), so a known change costs no string.
   */
  after(style: Style, text: string, start: number, end: number): Style | undefined {
    let value = 0;
    for (let i = start + 2; i < end - 1; i++) value = value * 10 + text.charCodeAt(i) - 0x30;
    const key = (style.id * 4 + (end - start - 3)) * 1000 + value;
    let next = this.#next.get(key);
    if (next === undefined) {
      const code = text.slice(start, end);
      let token = this.#tokens.get(code);
      if (token === undefined) {
        const made = this.#ansi.tokenize(code);
        const only = made[0];
        token = made.length === 1 && only?.type === "ansi" && only.code === code ? only : null;
        this.#tokens.set(code, token);
      }
      if (token === null) return undefined;
      if (this.size >= StyleMemo.LIMIT - 2) this.#clear();
      next = this.#intern(this.#ansi.reduceAnsiCodesIncremental(style.codes, [token]));
      this.#next.set(key, next);
    }
    return next;
  }

  /** What styledCharsToString writes between a cell styled `from` (undefined: none before) and one styled `to`. */
  between(from: Style | undefined, to: Style): string {
    const key = `${from?.id ?? -1}\u0003${to.id}`;
    let codes = this.#between.get(key);
    if (codes === undefined) {
      const ansi = this.#ansi;
      if (this.size >= StyleMemo.LIMIT - 2) this.#clear();
      codes = ansi.ansiCodesToString(
        from === undefined ? to.codes : ansi.diffAnsiCodes(from.codes, to.codes),
      );
      this.#between.set(key, codes);
    }
    return codes;
  }

  /** Entries held. */
  get size(): number {
    return this.#tokens.size + this.#styles.size + this.#next.size + this.#between.size;
  }

  #clear(): void {
    this.#tokens = new Map();
    this.#styles = new Map([["", this.none]]);
    this.#next = new Map();
    this.#between = new Map();
  }
}

/**
 * One row of Ink's output holding only `text` written at x = 0 in a row `columns` wide, exactly as
 * `styledCharsToString(cells).trimEnd()` makes it; `undefined` unless `text` is simple and fits.
 *
 * Most rows come out as they went in (chalk's codes are what Ink would write): the row is only built,
 * piece by piece, from the first place it differs from `text`, and otherwise `text` itself is returned.
 */
export function simpleRow(
  text: string,
  columns: number,
  ansi: AnsiTokenize,
  width: Width,
  memo: StyleMemo = new StyleMemo(ansi),
): string | undefined {
  if (columns <= 0) return undefined;
  const table = tableFor(width);
  /** The row so far, once it differs from `text`; until then the row so far is `text[0, same)`. */
  let out: string | undefined;
  let same = 0;
  let style = memo.none;
  /** Style of the previous cell; undefined before the first. */
  let previous: Style | undefined;
  let cells = 0;
  /** Start of the run of visible characters being copied, or -1. */
  let run = -1;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      const end = sgrEnd(text, i);
      if (end < 0) return undefined;
      const next = memo.after(style, text, i, end);
      if (next === undefined) return undefined;
      if (run >= 0) {
        if (out === undefined) same = i;
        else out += text.slice(run, i);
      }
      run = -1;
      style = next;
      i = end;
      continue;
    }
    if (!simpleIn(table, c, width)) return undefined;
    if (run < 0) {
      // The first cell opens its styles; a later one the difference from the cell before it. Between two
      // cells with the same styles that difference is empty, so runs of them are copied as they are.
      const codes = previous === style ? "" : memo.between(previous, style);
      if (out !== undefined) out += codes;
      else if (same + codes.length === i && text.startsWith(codes, same)) same = i;
      else out = text.slice(0, same) + codes;
      previous = style;
      run = i;
    }
    if (++cells > columns) return undefined;
    i++;
  }
  // After the last character: the blank cells (no styles) that fill the rest of the row, or the end of the
  // row; either way the styles are closed there. The blanks themselves would only be trimmed off again.
  const closing = previous === undefined ? "" : memo.between(previous, memo.none);
  if (out === undefined) {
    if (run >= 0) same = text.length;
    if (same + closing.length === text.length && text.startsWith(closing, same)) return text.trimEnd();
    out = text.slice(0, same);
  } else if (run >= 0) out += text.slice(run);
  return (out + closing).trimEnd();
}

/** The parts of Ink's Output (ink/build/output.js) the fast path reads. */
type Operation =
  | {
      readonly type: "write";
      readonly x: number;
      readonly y: number;
      readonly text: string;
      readonly transformers: readonly ((line: string, index: number) => string)[];
    }
  | { readonly type: "clip" | "unclip" };
type OutputLike = {
  readonly width: number;
  readonly height: number;
  readonly operations: readonly Operation[];
};
type Generated = { output: string; height: number };

/**
 * `Output.get()` for the common frame: every write is at x = 0 on rows of its own, without clipping,
 * and is simple text once its transformers (the styling functions of `<Text>`, pure) have run, as Ink runs
 * them; rows nobody wrote are empty. `undefined` for any other frame.
 */
export function createFastGet(ansi: AnsiTokenize, width: Width) {
  // The rows of the last frame drawn, so an unchanged line costs a lookup. Only the last frame's are kept:
  // they die young, never to be copied into V8's old generation.
  let previous = new Map<string, string | null>();
  let previousColumns = -1;
  const memo = new StyleMemo(ansi);
  return function fastGet(output: OutputLike): Generated | undefined {
    const { width: columns, height, operations } = output;
    const texts: (string | undefined)[] = new Array<string | undefined>(height);
    for (const op of operations) {
      if (op.type !== "write") return undefined;
      const { x, y, text } = op;
      const lines = text.includes("\n") ? text.split("\n") : [text];
      if (x !== 0 || !Number.isInteger(y) || y < 0 || y + lines.length > height) return undefined;
      for (let i = 0; i < lines.length; i++) {
        if (texts[y + i] !== undefined) return undefined;
        texts[y + i] = lines[i];
      }
    }
    for (const op of operations) {
      if (op.type !== "write" || op.transformers.length === 0) continue;
      const lines = op.text.split("\n");
      for (let i = 0; i < lines.length; i++) {
        let line = lines[i] ?? "";
        for (const transformer of op.transformers) line = transformer(line, i);
        texts[op.y + i] = line;
      }
    }
    if (columns !== previousColumns) previous = new Map();
    const rows = new Map<string, string | null>();
    let out = "";
    for (let y = 0; y < height; y++) {
      const text = texts[y];
      let row: string | null | undefined = "";
      if (text !== undefined) {
        row = previous.get(text);
        if (row === undefined) row = rows.get(text);
        if (row === undefined) row = simpleRow(text, columns, ansi, width, memo) ?? null;
        rows.set(text, row);
        if (row === null) return undefined;
      }
      out += y === 0 ? row : `\n${row}`;
    }
    previous = rows;
    previousColumns = columns;
    return { output: out, height };
  };
}

/** Frames the installed `Output.get` drew by the fast path and by Ink's own (for tests and benchmarks). */
export const outputStats = { fast: 0, ink: 0 };

/** Outputs kept alive for the process's lifetime (one per class installed on); see installFastOutput. */
const keptOutputs: object[] = [];

/**
 * Makes `Output.prototype.get` take the fast path when it can; Ink's own `get` runs otherwise.
 *
 * It also keeps one (empty) Output alive for good. Ink makes a new Output per frame and drops it after the
 * frame, and V8 holds the hidden class such instances share only weakly: a full collection that found no
 * Output alive let it die, and threw away the optimised code of the functions that read Outputs (this fast
 * path, Ink's `Output.write`: "weak objects"), to be compiled again in a helper thread after every full
 * collection (a compile job woken onto the main thread's core can hold it for a scheduler tick; BENCHMARKS.md,
 * Render).
 */
export function installFastOutput(
  OutputClass: {
    new (options: { width: number; height: number }): object;
    prototype: { get(this: OutputLike): Generated };
  },
  ansi: AnsiTokenize,
  width: Width,
): void {
  // Called with .call(this) on the same Output, never unbound.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = OutputClass.prototype.get;
  const fastGet = createFastGet(ansi, width);
  OutputClass.prototype.get = function get(this: OutputLike): Generated {
    const fast = fastGet(this);
    if (fast !== undefined) {
      outputStats.fast++;
      return fast;
    }
    outputStats.ink++;
    return original.call(this);
  };
  keptOutputs.push(new OutputClass({ width: 0, height: 0 }));
}
