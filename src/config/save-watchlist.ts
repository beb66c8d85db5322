import { chmod, mkdir, readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse, stringify } from "smol-toml";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import { fileReason } from "../text/file-reason.js";
import { parseConfigText } from "./config-file.js";
import { keyLine } from "./key-lines.js";
import { configLocation } from "./paths.js";
import type { ConfigError } from "./settings-types.js";

export type SaveResult = { readonly kind: "saved"; readonly path: string } | ConfigError;

/**
 * Writes `symbols` as the watchlist (`symbols = [...]`) of the config file, keeping every other key, and
 * the file's comments and layout wherever the list is written on its own: only the list's text is
 * replaced (or a line added before the first table when there was none). The file and its folder are
 * created when missing; the new file replaces the old in one rename, so a reader never sees half of it.
 * A config file that is a symbolic link (into a dotfiles repository, say) is written where it points, the
 * link kept; the file keeps its permissions.
 * A file that does not parse or check is left alone (the error is returned); so are bad symbols.
 * `path` defaults to the file a run reads (KRAKEN_LADDER_CONFIG, else the platform's usual place).
 */
export async function saveWatchlist(
  symbols: readonly string[],
  path: string = configLocation(undefined, process.env, process.platform, homedir()).path,
): Promise<SaveResult> {
  let list: readonly string[];
  try {
    list = normaliseSymbols(symbols).symbols;
  } catch (e) {
    if (!(e instanceof SymbolError)) throw e;
    return { kind: "config-error", path, message: e.message };
  }
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== "ENOENT")
      return { kind: "config-error", path, message: `cannot be read: ${fileReason(err)}` };
  }
  const checked = parseConfigText(text, path);
  if (checked.kind === "config-error") return checked;
  const next = withWatchlist(text, list);
  try {
    await mkdir(dirname(path), { recursive: true });
    const target = await realpath(path).catch(() => path);
    const mode = await stat(target).then(
      (s) => s.mode & 0o7777,
      () => undefined,
    );
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, next);
      if (mode !== undefined) await chmod(temporary, mode);
      await rename(temporary, target);
    } catch (e) {
      // A full disk leaves a short file: nothing of a failed save stays beside the config.
      await rm(temporary, { force: true }).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { kind: "config-error", path, message: `cannot be written: ${fileReason(err)}` };
  }
  return { kind: "saved", path };
}

/** `text` (valid TOML) with its top-level `symbols` set to `symbols`, everything else unchanged. */
export function withWatchlist(text: string, symbols: readonly string[]): string {
  const line = `symbols = [${symbols.map((s) => JSON.stringify(s)).join(", ")}]`;
  // Parsed afresh and changed in place: the parser's tables have no prototype, and a spread copy would.
  const wanted = parse(text);
  wanted["symbols"] = [...symbols];
  const edited = editInPlace(text, line, symbols);
  // The edit is checked by parsing it back: anything else changed (an unusual layout) and the document is
  // written afresh instead, its values kept but not its comments.
  try {
    if (isDeepStrictEqual(parse(edited), wanted)) return edited;
  } catch {
    // fall through
  }
  return stringify(wanted) + "\n";
}

function editInPlace(text: string, line: string, symbols: readonly string[]): string {
  const at = keyLine(text, "symbols");
  const lines = text.split("\n");
  if (at === undefined) {
    const firstTable = lines.findIndex((l) => /^\s*\[/.test(l));
    if (firstTable === -1)
      return text === "" || text.endsWith("\n") ? `${text}${line}\n` : `${text}\n${line}\n`;
    return [...lines.slice(0, firstTable), line, "", ...lines.slice(firstTable)].join("\n");
  }
  const start = lines.slice(0, at - 1).reduce((n, l) => n + l.length + 1, 0);
  const from = text.indexOf("=", start) + 1;
  const end = valueEnd(text, from);
  if (end === undefined) return text;
  const value = text.slice(from, end);
  // A list written over several lines stays so, with its comments (see multiLine).
  const written = value.includes("\n") ? multiLine(value, symbols) : undefined;
  return text.slice(0, start) + (written ?? line) + text.slice(end);
}

type Entry = { readonly symbol: string | undefined; readonly leading: string[]; trailing?: string };

/**
 * `symbols = [` and the list one symbol a line, for a list that was written over several lines: a comment
 * after an entry stays with it while it is in the list; a comment on a line of its own stays before the
 * entry it came before, or before the `]` when that entry has gone (none is dropped). Undefined when the
 * old list holds anything but strings and comments: it is then written on one line.
 */
function multiLine(value: string, wanted: readonly string[]): string | undefined {
  const entries: Entry[] = [];
  let leading: string[] = [];
  let lineNo = 0;
  let lastLine = -1;
  let indent: string | undefined;
  const open = value.indexOf("[");
  for (let i = open + 1; i < value.length - 1; i++) {
    const c = value[i]!;
    if (c === "\n") {
      lineNo++;
    } else if (c === "#") {
      const stop = value.indexOf("\n", i);
      const comment = value.slice(i, stop < 0 ? value.length - 1 : stop).trimEnd();
      const last = entries.at(-1);
      if (last !== undefined && lastLine === lineNo && last.trailing === undefined) last.trailing = comment;
      else leading.push(comment);
      i = (stop < 0 ? value.length : stop) - 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      for (; j < value.length && value[j] !== c; j++) if (c === '"' && value[j] === "\\") j++;
      const raw = value.slice(i, j + 1);
      const text = c === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      indent ??= /[ \t]*$/.exec(value.slice(0, i))?.[0];
      entries.push({ symbol: normalised(text), leading });
      leading = [];
      lastLine = lineNo;
      i = j;
    } else if (c !== " " && c !== "\t" && c !== "," && c !== "\r") {
      return undefined;
    }
  }
  const pad = indent === undefined || indent === "" ? "  " : indent;
  const out = ["symbols = ["];
  // Each symbol's first entry, when the new list has it; every other entry's own-line comments go last.
  const kept = new Map<string, Entry>();
  for (const e of entries)
    if (e.symbol !== undefined && wanted.includes(e.symbol) && !kept.has(e.symbol)) kept.set(e.symbol, e);
  const orphans = entries.filter((e) => e.symbol === undefined || kept.get(e.symbol) !== e);
  for (const symbol of wanted) {
    const entry = kept.get(symbol);
    for (const comment of entry?.leading ?? []) out.push(pad + comment);
    out.push(`${pad}${JSON.stringify(symbol)},${entry?.trailing === undefined ? "" : ` ${entry.trailing}`}`);
  }
  for (const comment of [...orphans.flatMap((e) => e.leading), ...leading]) out.push(pad + comment);
  return [...out, "]"].join("\n");
}

/** A symbol of the old list as the new one spells it, or undefined for one that does not read as one. */
function normalised(text: string): string | undefined {
  try {
    return normaliseSymbols([text]).symbols[0];
  } catch {
    return undefined;
  }
}

/** Where the array value starting after `from` ends (just past its `]`), skipping strings and comments. */
function valueEnd(text: string, from: number): number | undefined {
  let i = from;
  while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  if (text[i] !== "[") return undefined;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"' || c === "'") {
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === "\\") i++;
    } else if (c === "[") {
      depth++;
    } else if (c === "]") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return undefined;
}
