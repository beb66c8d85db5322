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
  /** Text plus styles: equal signatures render identically, so rows can be memoised on it. */
  readonly signature: string;
};

function segmentSignature(s: Segment): string {
  return `${s.role ?? ""}${s.bold === true ? "b" : ""}${s.dim === true ? "d" : ""}${s.inverse === true ? "i" : ""}|${s.text}`;
}

export function line(key: string, segments: readonly Segment[]): Line {
  // One pass (every line of every frame goes through here).
  const kept: Segment[] = [];
  let text = "";
  let signature = "";
  for (const s of segments) {
    if (s.text === "") continue;
    if (kept.length > 0) signature += "\u0000";
    kept.push(s);
    text += s.text;
    signature += segmentSignature(s);
  }
  return { key, segments: kept, text, signature };
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

/** Every segment dimmed: a book that is not live is never drawn as live. */
export function dimLine(l: Line): Line {
  return line(
    l.key,
    l.segments.map((s) => ({ ...s, dim: true })),
  );
}
