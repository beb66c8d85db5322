/**
 * Where a key of a TOML document is written, for errors that name the line. The parser reports lines
 * for syntax errors only; a key that parses but is wrong (unknown, wrong type) is found here by reading
 * the text: `key =` at the top level or in its `[table]`, a dotted `table.key =`, or the line of an
 * inline `table = { … key … }`.
 */

/** `key`, `"key"` or `'key'`, as TOML writes a key. */
function keyPattern(key: string): string {
  const escaped = key.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return `(?:${escaped}|"${escaped}"|'${escaped}')`;
}

/** The table a header line opens (`[grouping]` → `grouping`), or undefined for other lines. */
function tableHeader(line: string): string | undefined {
  const m = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$/.exec(line);
  return m === null ? undefined : m[1]!.replace(/^["']|["']$/g, "");
}

/** The 1-based line where `key` (in `table`, or at the top level) is set; undefined when not found. */
export function keyLine(text: string, key: string, table?: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const plain = new RegExp(`^\\s*${keyPattern(key)}\\s*[=.]`);
  const dotted =
    table === undefined
      ? undefined
      : new RegExp(`^\\s*${keyPattern(table)}\\s*\\.\\s*${keyPattern(key)}\\s*=`);
  const inline = table === undefined ? undefined : new RegExp(`^\\s*${keyPattern(table)}\\s*=\\s*\\{`);
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = tableHeader(line);
    if (header !== undefined) {
      current = header;
      if (table === undefined && header === key) return i + 1;
      continue;
    }
    if (current === (table ?? "") && plain.test(line)) return i + 1;
    if (current === "" && dotted?.test(line) === true) return i + 1;
    if (current === "" && inline?.test(line) === true && line.includes(key)) return i + 1;
  }
  return table === undefined ? undefined : keyLine(text, table);
}

/** The first line at or after `from` that holds `literal` as a TOML string, e.g. one entry of an array. */
export function stringLine(text: string, literal: string, from: number): number | undefined {
  const lines = text.split(/\r?\n/);
  const quoted = [JSON.stringify(literal), `'${literal}'`];
  for (let i = Math.max(0, from - 1); i < lines.length; i++) {
    if (quoted.some((q) => lines[i]!.includes(q))) return i + 1;
  }
  return undefined;
}
