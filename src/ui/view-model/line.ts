/** The screen as data: lines of styled segments, fixed width, built outside render. */

/** What a segment means; the theme turns roles into colours (or nothing, under NO_COLOR). */
export type Role = "ask" | "bid" | "up" | "down" | "spread" | "warn" | "good" | "accent" | "muted";

export type Segment = {
  readonly text: string;
  readonly role?: Role;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
};

export type Line = {
  /** Stable React key. */
  readonly key: string;
  readonly segments: readonly Segment[];
  /** Plain text of the line. */
  readonly text: string;
};

function sameSegment(a: Segment, b: Segment): boolean {
  return (
    a.text === b.text &&
    a.role === b.role &&
    (a.bold === true) === (b.bold === true) &&
    (a.dim === true) === (b.dim === true) &&
    (a.inverse === true) === (b.inverse === true)
  );
}

/** Whether two lines draw identically (same text and styles, same key). */
export function sameLine(a: Line, b: Line): boolean {
  if (a === b) return true;
  if (a.key !== b.key || a.text !== b.text || a.segments.length !== b.segments.length) return false;
  for (let i = 0; i < a.segments.length; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    if (sa === undefined || sb === undefined || !sameSegment(sa, sb)) return false;
  }
  return true;
}

export function line(key: string, segments: readonly Segment[]): Line {
  // One pass (every line of every frame goes through here).
  const kept: Segment[] = [];
  let text = "";
  for (const s of segments) {
    if (s.text === "") continue;
    kept.push(s);
    text += s.text;
  }
  return { key, segments: kept, text };
}

export function plain(key: string, text: string, style: Omit<Segment, "text"> = {}): Line {
  return line(key, [{ text, ...style }]);
}

/** The line cut to `width` columns, styles kept. */
export function clipLine(l: Line, width: number): Line {
  if (l.text.length <= width) return l;
  const out: Segment[] = [];
  let room = width;
  for (const s of l.segments) {
    if (room <= 0) break;
    if (s.text.length <= room) {
      out.push(s);
      room -= s.text.length;
    } else {
      out.push({ ...s, text: room === 1 ? "…" : `${s.text.slice(0, room - 1)}…` });
      room = 0;
    }
  }
  return line(l.key, out);
}

/**
 * Every segment dimmed, and none bold or inverse: what is not live is never drawn as live. Bold wins over dim
 * in many terminals, and an inverse cell is a block of full colour whatever its text's intensity, so either
 * would draw a not-live figure (the last trade's mark, the ticker's figures) as bright as a live one.
 */
export function dimLine(l: Line): Line {
  return line(
    l.key,
    l.segments.map((s) =>
      s.role === undefined ? { text: s.text, dim: true } : { text: s.text, role: s.role, dim: true },
    ),
  );
}
