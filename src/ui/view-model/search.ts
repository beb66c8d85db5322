import type { Line } from "./line.js";
import { clipLine, line, plain } from "./line.js";

/** The `/` overlay's state: what was typed and which match the cursor is on. */
export type SearchState = { readonly query: string; readonly cursor: number };

/** A pair name the search offers: a v2 `BASE/QUOTE` name (anything else from the network is left out). */
export const PAIR_NAME = /^[A-Z0-9]{1,16}\/[A-Z0-9]{1,16}$/;

/**
 * The exchange's pairs that match `query`, case-insensitive: those starting with it first, then those
 * containing it (with or without the slash: `ethusd` finds ETH/USD), each group in alphabetical order.
 */
export function matchPairs(pairs: readonly string[], query: string): string[] {
  const q = query.toUpperCase();
  const bare = q.replace(/\//g, "");
  const prefix: string[] = [];
  const inside: string[] = [];
  for (const pair of pairs) {
    if (q === "" || pair.startsWith(q) || pair.replace("/", "").startsWith(bare)) prefix.push(pair);
    else if (pair.includes(q) || (bare !== "" && pair.replace("/", "").includes(bare))) inside.push(pair);
  }
  prefix.sort();
  inside.sort();
  return [...prefix, ...inside];
}

/** The symbol Enter adds: the match under the cursor, else what was typed when it is a v2 name. */
export function searchChoice(pairs: readonly string[], search: SearchState): string | undefined {
  const matches = matchPairs(pairs, search.query);
  const chosen = matches[Math.min(Math.max(0, search.cursor), matches.length - 1)];
  if (chosen !== undefined) return chosen;
  const typed = search.query.toUpperCase();
  return PAIR_NAME.test(typed) ? typed : undefined;
}

/**
 * The search overlay in place of the ladder: the query, the matches around the cursor (watched ones
 * marked), a key hint. At most `height` lines, each at most `width` wide.
 */
export function searchLines(
  pairs: readonly string[],
  watched: readonly string[],
  search: SearchState,
  width: number,
  height: number,
): Line[] {
  const matches = matchPairs(pairs, search.query);
  const cursor = Math.min(Math.max(0, search.cursor), Math.max(0, matches.length - 1));
  const lines: Line[] = [
    line("search-query", [
      { text: " Add symbol: ", bold: true, role: "accent" },
      { text: search.query },
      { text: "▏", role: "accent" },
    ]),
  ];
  const room = Math.max(0, height - 3);
  if (pairs.length === 0) {
    lines.push(plain("search-wait", "  waiting for the exchange's pair list;", { role: "muted" }));
    lines.push(plain("search-wait-2", "  Enter adds a typed BASE/QUOTE name", { role: "muted" }));
  } else if (matches.length === 0) {
    const typed = search.query.toUpperCase();
    lines.push(plain("search-none", `  no pair matches ${JSON.stringify(search.query)}`, { role: "warn" }));
    if (PAIR_NAME.test(typed)) lines.push(plain("search-typed", `  Enter tries ${typed}`, { role: "muted" }));
  } else {
    const first = Math.min(Math.max(0, cursor - room + 1), Math.max(0, matches.length - room));
    const shown = matches.slice(first, first + room);
    for (let i = 0; i < shown.length; i++) {
      const pair = shown[i] as string;
      const at = first + i === cursor;
      const mark = watched.includes(pair) ? "  (watching)" : "";
      lines.push(
        line(`search-${i}`, [
          { text: at ? " ▶ " : "   ", bold: at },
          { text: pair, ...(at ? { inverse: true, bold: true } : {}) },
          { text: mark, role: "muted" },
        ]),
      );
    }
  }
  const count = matches.length === 0 ? "" : `${cursor + 1}/${matches.length}  `;
  lines.push(plain("search-keys", ` ${count}Up/Down  Enter adds  Esc`, { role: "muted" }));
  return lines.slice(0, Math.max(0, height)).map((l) => clipLine(l, width));
}
