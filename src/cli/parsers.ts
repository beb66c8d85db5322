import { InvalidArgumentError } from "commander";
import { isFps, MAX_FPS } from "../config/settings-types.js";
import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import { LONGEST_TIMER_MS } from "../feed/timers.js";
import { wsUrlProblem } from "../feed/ws-url.js";
import { BOOK_DEPTHS, isBookDepth, LARGEST_MAX_FRAME } from "../protocol/types.js";
import type { BookDepth } from "../protocol/types.js";
import type { CorsOrigins } from "../serve/cors.js";

/** Option-value parsers for commander: a bad value becomes commander's one-line error (exit 2). */

export function parseDepth(value: string): BookDepth {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !isBookDepth(n)) {
    throw new InvalidArgumentError(`depth must be one of ${BOOK_DEPTHS.join(", ")}.`);
  }
  return n;
}

/** Seconds as a non-negative decimal (`0.25`, `10`), returned in whole milliseconds: at most a timer's longest wait. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new InvalidArgumentError("expected a number of seconds, e.g. 10 or 0.5.");
  }
  if (n < 0) throw new InvalidArgumentError("expected 0 seconds or more.");
  const ms = Math.round(n * 1000);
  if (ms > LONGEST_TIMER_MS) {
    throw new InvalidArgumentError(
      `expected at most ${Math.floor(LONGEST_TIMER_MS / 1000)} seconds (about 24 days, the longest a timer waits).`,
    );
  }
  return ms;
}

/** Strictly positive seconds, in whole milliseconds: at least 0.001 (one millisecond). */
export function parsePositiveSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() !== "" && Number.isFinite(n) && n <= 0) {
    throw new InvalidArgumentError("expected more than 0 seconds.");
  }
  const ms = parseSeconds(value);
  if (ms <= 0) throw new InvalidArgumentError("expected at least 0.001 seconds (one millisecond).");
  return ms;
}

/** A file's name: any but the empty one (`--record ""`, a variable that was not set), which names none. */
export function parseFileName(value: string): string {
  if (value === "") throw new InvalidArgumentError("expected a file name; it is empty.");
  return value;
}

/**
 * `--record FILE`. Not `-`: stdout is the ladder's screen, the NDJSON stream or `serve`'s URL, so frames
 * cannot go there, and a file named `-` would be made instead (`verify -` reads stdin, so `-` reads as
 * stdout).
 */
export function parseRecordFile(value: string): string {
  if (parseFileName(value) === "-")
    throw new InvalidArgumentError(
      "- would be stdout, which the command writes itself (the ladder, NDJSON, serve's URL): record to a " +
        "file, or to a named pipe another program reads " +
        "(mkfifo rec; gzip < rec > rec.jsonl.gz & kraken-ladder --record rec …); ./- names a file called -.",
    );
  return value;
}

/**
 * `--replay FILE`. Not `-`: a replay reads its recording as a file (the ladder and `serve` read it twice:
 * once for its pairs and depth, once to serve it; and the ladder's stdin is its keyboard), and `verify -`
 * reads stdin, so `-` would read as stdin where it names a file called `-`.
 */
export function parseReplayFile(value: string): string {
  if (parseFileName(value) === "-")
    throw new InvalidArgumentError(
      "a replay reads a file, not stdin: give the recording's path (decompress a compressed one to a file " +
        "first); ./- names a file called -.",
    );
  return value;
}

export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) {
    throw new InvalidArgumentError("expected a whole number above 0.");
  }
  return n;
}

/** `--fps` (and KRAKEN_LADDER_FPS): a whole number from 1 to MAX_FPS, as the config file's `fps`. */
export function parseFps(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !isFps(n))
    throw new InvalidArgumentError(`expected a whole number from 1 to ${MAX_FPS}.`);
  return n;
}

export function parseNonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("expected a whole number, 0 or more.");
  }
  return n;
}

export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError("expected a number above 0.");
  }
  return n;
}

export function parseProbability(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError("expected a probability from 0 to 1.");
  }
  return n;
}

/** Smallest and largest `--max-frame`: below 1 KiB not even an ack fits; above 256 MiB no cap is left. */
const MIN_FRAME = 1024;
const MAX_FRAME = LARGEST_MAX_FRAME;
const UNITS: { readonly [unit: string]: number } = { "": 1, b: 1, kib: 1024, mib: 1024 * 1024 };

/** A size in bytes: `65536`, `512KiB`, `4 MiB` (binary units; case does not matter). */
export function parseBytes(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kib|mib)?\s*$/i.exec(value);
  const n = m === null ? NaN : Math.round(Number(m[1]) * (UNITS[(m[2] ?? "").toLowerCase()] ?? NaN));
  if (!Number.isSafeInteger(n) || n < MIN_FRAME || n > MAX_FRAME) {
    throw new InvalidArgumentError("expected a size from 1KiB to 256MiB, e.g. 1048576, 512KiB or 4MiB.");
  }
  return n;
}

/** Replay speed: a positive factor, or `max` (as fast as the client reads). */
export function parseSpeed(value: string): number {
  if (value.toLowerCase() === "max") return Infinity;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError("expected a positive factor such as 2 or 0.5, or max.");
  }
  return n;
}

export function parseWsUrl(value: string): string {
  const problem = wsUrlProblem(value);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return value;
}

/** A TCP port, 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new InvalidArgumentError("expected a port number from 0 to 65535.");
  }
  return n;
}

/** A comma-separated list of symbols; repeating the flag adds to the list. */
export function parseSymbolList(value: string, previous: readonly string[] = []): string[] {
  const symbols = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (symbols.length === 0)
    throw new InvalidArgumentError("expected one or more symbols, e.g. FOO/BAR,ETH/USD.");
  return [...previous, ...symbols.map(parseSymbol)];
}

/**
 * One symbol as the feed names it (`eth/usd` and `XBT/USD` are ETH/USD and BTC/USD, feed/symbols.ts), so a
 * fault aimed at a pair matches the pair the client subscribes; a badly formed one is a usage error.
 */
export function parseSymbol(value: string): string {
  try {
    return normaliseSymbols([value]).symbols[0]!;
  } catch (e) {
    if (e instanceof SymbolError) throw new InvalidArgumentError(e.message);
    throw e;
  }
}

/**
 * What is wrong with a `--token`, if anything: an Authorization: Bearer header carries visible ASCII
 * without spaces. Anything else could never be sent (HTTP trims spaces around a header value and reads its
 * bytes as Latin-1), so the server would refuse every client; an empty one would serve without a token.
 * Said without the token itself, which is a secret.
 */
export function tokenProblem(token: string): string | undefined {
  if (token === "") return "is empty: give a token, or leave it out to serve without one on loopback";
  const chars = [...token];
  const at = chars.findIndex((c) => c < "!" || c > "~");
  if (at < 0) return undefined;
  const c = chars[at]!;
  const what =
    c === " " ? "a space" : c < " " || c === "\x7f" ? "a control character" : "a character that is not ASCII";
  return `has ${what} (character ${at + 1}): a token must be visible ASCII characters without spaces, as an Authorization header carries it`;
}

/**
 * `--cors` values: `*`, or origins (`scheme://host[:port]`, comma-separated, the flag repeatable) as a
 * browser sends them in `Origin`. Throws commander's error saying what is wrong with the first bad one.
 */
export function parseCorsOrigins(text: string, previous?: CorsOrigins): CorsOrigins {
  const items = text.split(",").map((s) => s.trim());
  if (items.some((s) => s === ""))
    throw new InvalidArgumentError(`${JSON.stringify(text)} lists an empty origin`);
  const all = [...(previous === "*" ? ["*"] : (previous ?? [])), ...items];
  if (all.includes("*")) {
    if (all.some((s) => s !== "*"))
      throw new InvalidArgumentError("* allows every origin: give it alone, or list origins without it");
    return "*";
  }
  return [...new Set(all.map(originOf))];
}

/** An origin as a browser writes it (lower-case host, no default port, no slash), or commander's error. */
function originOf(text: string): string {
  const expected =
    "give scheme://host[:port] as the browser's address bar shows it, e.g. http://localhost:3000, or *";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not an origin: ${expected}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError(`${JSON.stringify(text)} is not an http or https origin: ${expected}`);
  const bare =
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "" &&
    url.username === "" &&
    url.password === "";
  if (!bare || !/^[a-z]+:\/\/[^/]+\/?$/i.test(text))
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} is not an origin (it has more than scheme, host and port): ${expected}`,
    );
  return url.origin;
}
