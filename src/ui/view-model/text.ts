/** Fixed-width text helpers. Everything on screen here is single-width (ASCII and box/arrow glyphs). */

export function padLeft(text: string, width: number): string {
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

export function padRight(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** Cut to `width`, marking a cut with `…`. */
export function clip(text: string, width: number): string {
  if (width <= 0) return "";
  if (text.length <= width) return text;
  return width === 1 ? "…" : `${text.slice(0, width - 1)}…`;
}

/** Exactly `width` wide: clipped or padded on the right. */
export function fit(text: string, width: number): string {
  return padRight(clip(text, width), width);
}

/** `text` centred in a run of `fill` exactly `width` wide. */
export function centre(text: string, width: number, fillChar = " "): string {
  const body = clip(text, width);
  const left = Math.floor((width - body.length) / 2);
  return fillChar.repeat(left) + body + fillChar.repeat(width - body.length - left);
}
