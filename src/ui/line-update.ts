/**
 * What Ink's incremental renderer writes for a line that changed, put into ink/build/log-update.js when the
 * bundle is built (build/patches.mjs): only the cells that changed, where Ink rewrites the whole line.
 *
 * A ladder line changes a few cells at a time (a size, a cumulative figure, the tape beside it), but Ink
 * writes the whole of every changed line: at 200×60 and 5 × 20 msg/s about 7.7 KB a frame, over 200 KB
 * a second, for the terminal (and an SSH link) to carry and parse (BENCHMARKS.md). Here the two versions of
 * the line are compared cell by cell and only the runs of changed cells are written, each after a cursor
 * move, in the styles they have in the new line.
 *
 * It handles the simple text of src/ui/ink-fast.ts (characters one cell wide, styled only with plain SGR
 * codes it knows) in lines whose style is reset at their end, which is every line Ink writes for the
 * ladder. Anything else (a wide or combining character, another escape, an unknown code) is written as Ink
 * writes it: the cursor to column 1, the whole line, the rest of the row erased. So the screen after either
 * write is the same (test/ui/line-update.test.ts checks it in a real terminal emulator).
 */
import { sgrEnd, simpleTest } from "./ink-fast.js";

const ESC = 0x1b;
/** Ink's own write of a changed line (ansi-escapes' cursorTo(0) and eraseEndLine). */
const TO_COLUMN_1 = "\u001b[1G";
const ERASE_END = "\u001b[K";
const RESET = "\u001b[0m";
/**
 * Unchanged cells between two changed ones that are written again rather than jumped over: a jump costs a
 * cursor move and the style at its end (4–12 bytes).
 */
const JOIN_GAP = 8;
const SPACE = 0x20;

/*
 * A style is a number: the attributes' bits, then the foreground and background colours (0: the default;
 * 1–8 for codes 30–37 / 40–47, 9–16 for 90–97 / 100–107).
 */
const FG_SHIFT = 9;
const BG_SHIFT = 14;
const COLOUR_MASK = 0x1f;
/** SGR code → attribute bit, and the code that clears it. */
const ATTRIBUTES: readonly (readonly [on: number, off: number, bit: number])[] = [
  [1, 22, 1 << 0], // bold (22 also ends dim)
  [2, 22, 1 << 1], // dim
  [3, 23, 1 << 2], // italic
  [4, 24, 1 << 3], // underline
  [5, 25, 1 << 4], // blink
  [7, 27, 1 << 5], // inverse
  [8, 28, 1 << 6], // hidden
  [9, 29, 1 << 7], // strikethrough
  [53, 55, 1 << 8], // overline
];
const ON = new Map(ATTRIBUTES.map(([on, , bit]) => [on, bit]));
const OFF = new Map<number, number>();
for (const [, off, bit] of ATTRIBUTES) OFF.set(off, (OFF.get(off) ?? 0) | bit);

/** The style after SGR code `code` in style `style`, or -1 for a code this does not know. */
function applyCode(style: number, code: number): number {
  if (code === 0) return 0;
  const on = ON.get(code);
  if (on !== undefined) return style | on;
  const off = OFF.get(code);
  if (off !== undefined) return style & ~off;
  const fg = (style >> FG_SHIFT) & COLOUR_MASK;
  const bg = (style >> BG_SHIFT) & COLOUR_MASK;
  const attributes = style & ((1 << FG_SHIFT) - 1);
  const make = (f: number, b: number): number => attributes | (f << FG_SHIFT) | (b << BG_SHIFT);
  if (code >= 30 && code <= 37) return make(code - 29, bg);
  if (code >= 90 && code <= 97) return make(code - 81, bg);
  if (code === 39) return make(0, bg);
  if (code >= 40 && code <= 47) return make(fg, code - 39);
  if (code >= 100 && code <= 107) return make(fg, code - 91);
  if (code === 49) return make(fg, 0);
  return -1;
}

/** The SGR sequence that sets `style` from none (one sequence, its codes joined by `;`). */
function opening(style: number): string {
  if (style === 0) return "";
  const codes: number[] = [];
  for (const [on, , bit] of ATTRIBUTES) if ((style & bit) !== 0) codes.push(on);
  const fg = (style >> FG_SHIFT) & COLOUR_MASK;
  const bg = (style >> BG_SHIFT) & COLOUR_MASK;
  if (fg !== 0) codes.push(fg <= 8 ? fg + 29 : fg + 81);
  if (bg !== 0) codes.push(bg <= 8 ? bg + 39 : bg + 91);
  return `\u001b[${codes.join(";")}m`;
}

/** A line read into cells: each cell's character, its style, and where the character is in the text. */
class Cells {
  chars = new Uint16Array(256);
  styles = new Int32Array(256);
  at = new Int32Array(256);
  length = 0;

  /**
   * Reads `text`; false when it is not simple text ending in no style (then nothing here may be used).
   * Its escapes must be plain SGR codes as src/ui/ink-fast.ts reads them (`ESC [` 1–3 digits `m`).
   */
  read(text: string, simple: (c: number) => boolean): boolean {
    let n = 0;
    let style = 0;
    for (let i = 0; i < text.length;) {
      const c = text.charCodeAt(i);
      if (c === ESC) {
        const end = sgrEnd(text, i);
        if (end < 0) return false;
        let code = 0;
        for (let d = i + 2; d < end - 1; d++) code = code * 10 + text.charCodeAt(d) - 0x30;
        style = applyCode(style, code);
        if (style < 0) return false;
        i = end;
        continue;
      }
      // Printable ASCII is always simple; the rest is looked up.
      if ((c < 0x20 || c > 0x7e) && !simple(c)) return false;
      if (n === this.chars.length) this.grow();
      this.chars[n] = c;
      this.styles[n] = style;
      this.at[n] = i;
      n++;
      i++;
    }
    this.length = n;
    return style === 0;
  }

  private grow(): void {
    const size = this.chars.length * 2;
    const chars = new Uint16Array(size);
    const styles = new Int32Array(size);
    const at = new Int32Array(size);
    chars.set(this.chars);
    styles.set(this.styles);
    at.set(this.at);
    this.chars = chars;
    this.styles = styles;
    this.at = at;
  }
}

/** Whether cell `i` draws the same in both lines; a cell past a line's end is a blank in no style. */
function same(a: Cells, b: Cells, i: number): boolean {
  const ca = i < a.length ? a.chars[i] : SPACE;
  const cb = i < b.length ? b.chars[i] : SPACE;
  const sa = i < a.length ? a.styles[i] : 0;
  const sb = i < b.length ? b.styles[i] : 0;
  return ca === cb && sa === sb;
}

/**
 * The writer of changed lines: `(prev, next)` gives what to write, with the cursor at the start of a row
 * that shows `prev` (as Ink wrote it), for the row to show `next`. It leaves the cursor on that row with no
 * style set; `prev` undefined (a row Ink did not draw last) writes the whole line. `width` is string-width,
 * to tell simple characters (as src/ui/ink-fast.ts does).
 */
export function createLineUpdate(
  width: (text: string) => number,
): (prev: string | undefined, next: string) => string {
  const simple = simpleTest(width);
  const before = new Cells();
  const after = new Cells();
  return (prev, next) => {
    if (prev === undefined || !before.read(prev, simple) || !after.read(next, simple))
      return TO_COLUMN_1 + next + ERASE_END;
    const end = Math.max(before.length, after.length);
    let out = "";
    let i = 0;
    while (i < end) {
      if (same(before, after, i)) {
        i++;
        continue;
      }
      // A run of changed cells, up to the last change with no more than JOIN_GAP unchanged cells inside it.
      const first = i;
      let last = i;
      for (let j = i + 1; j < end && j - last <= JOIN_GAP; j++) if (!same(before, after, j)) last = j;
      out += `\u001b[${first + 1}G`;
      if (first < after.length) {
        const stop = Math.min(last, after.length - 1);
        out += opening(after.styles[first] ?? 0);
        out += next.slice(after.at[first], (after.at[stop] ?? 0) + 1);
        if ((after.styles[stop] ?? 0) !== 0) out += RESET;
      }
      if (last >= after.length) return out + ERASE_END;
      i = last + 1;
    }
    return out;
  };
}
