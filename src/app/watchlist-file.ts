import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A stand-in for the config module (issue 17 item 1, written in parallel): where the watchlist is kept,
 * and the one key this file reads and writes, `symbols = ["BTC/USD", …]`, at the top level of
 * `$XDG_CONFIG_HOME/kraken-ladder/config.toml` (`~/.config/…` without it). Every other line of the file is
 * kept as it was. To be replaced by the config module's `saveWatchlist` and loader when they are joined.
 */

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env["XDG_CONFIG_HOME"] !== undefined && env["XDG_CONFIG_HOME"] !== ""
      ? env["XDG_CONFIG_HOME"]
      : join(homedir(), ".config");
  return join(base, "kraken-ladder", "config.toml");
}

const SYMBOLS_LINE = /^\s*symbols\s*=/;
/** A symbol as this file writes it: a v2 name, which needs no escaping in a TOML basic string. */
const NAME = /^[A-Z0-9]{1,16}\/[A-Z0-9]{1,16}$/;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Writes `symbols` as the file's top-level `symbols` key (replacing a one-line one, or added before the
 * first table), through a temporary file renamed into place. Resolves with the path.
 */
export async function saveWatchlist(
  symbols: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const path = configPath(env);
  for (const s of symbols) if (!NAME.test(s)) throw new Error(`not a symbol name: ${JSON.stringify(s)}`);
  const entry = `symbols = [${symbols.map((s) => `"${s}"`).join(", ")}]`;
  const lines = (readText(path) ?? "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const firstTable = lines.findIndex((l) => /^\s*\[/.test(l));
  const topLevel = firstTable < 0 ? lines.length : firstTable;
  const at = lines.slice(0, topLevel).findIndex((l) => SYMBOLS_LINE.test(l));
  if (at >= 0) lines[at] = entry;
  else lines.splice(topLevel, 0, entry);
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, lines.join("\n") + "\n");
  await rename(temp, path);
  return path;
}

/** The saved watchlist: the top-level one-line `symbols = [...]` of the config file, if there is one. */
export function readWatchlist(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const text = readText(configPath(env));
  if (text === undefined) return undefined;
  for (const l of text.split("\n")) {
    if (/^\s*\[/.test(l)) return undefined;
    if (!SYMBOLS_LINE.test(l)) continue;
    const list = /=\s*\[(.*)\]\s*(#.*)?$/.exec(l)?.[1];
    if (list === undefined) return undefined;
    const names = [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? "");
    return names.length > 0 ? names : undefined;
  }
  return undefined;
}
