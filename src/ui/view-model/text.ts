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

/**
 * `path` in at most `width` characters, cut in the middle of its folders (`/home/al…ladder/config.toml`): the
 * file name is kept whole, so never shorter than `…/config.toml`, which is what a narrower `width` gets (a
 * bare file name is not cut).
 */
export function middlePath(path: string, width: number): string {
  if (path.length <= width) return path;
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  if (cut < 0) return path;
  const name = path.slice(cut);
  const folders = path.slice(0, cut);
  const room = Math.max(0, width - 1 - name.length);
  const head = Math.ceil(room / 2);
  const tail = room - head;
  return `${folders.slice(0, head)}…${folders.slice(folders.length - tail)}${name}`;
}
