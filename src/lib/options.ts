import { normaliseSymbols, SymbolError } from "../feed/symbols.js";
import { KRAKEN_URL, wsUrlProblem } from "../feed/ws-url.js";
import { KRAKEN_HEARTBEAT_MS, readTimeoutFloorMs } from "../feed/read-timeout.js";
import { LONGEST_TIMER_MS } from "../feed/timers.js";
import { MAX_FPS } from "../config/settings-types.js";
import { BOOK_DEPTHS, DEEPEST_BOOK, depthHolding, isBookDepth } from "../protocol/types.js";
import { didYouMean } from "../text/did-you-mean.js";
import type { FeedOptions } from "../feed/types.js";
import type { BookOptions } from "./types.js";

/** The command line's defaults for what the library does not expose. */
const FEED_DEFAULTS = {
  depth: 25,
  levels: 10,
  fps: 10,
  readTimeoutMs: 10_000,
  pingIntervalMs: 5_000,
  staleAfterMs: 30_000,
  maxLagMs: 3_000,
  quietAfterMs: 3_000,
  maxFrameBytes: 1024 * 1024,
  backoffBaseMs: 250,
  backoffCapMs: 30_000,
  backoffResetMs: 60_000,
} as const;

export type ResolvedOptions = {
  /** The feed's options but its URL, which a demo server decides. */
  readonly feed: Omit<FeedOptions, "url">;
  readonly url: string;
  readonly demo: { readonly seed?: number; readonly rate?: number } | undefined;
  readonly signal: AbortSignal | undefined;
};

/** `value` as the caller wrote it, so `"25"` (a string) is not shown as 25. */
export function shown(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (typeof value === "function") return "a function";
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch {
    // A BigInt or a circular object: JSON has no text for it, but it is still named below.
  }
  return typeof value === "bigint" ? `${value}n` : String(value);
}

export function check(name: string, value: number, ok: boolean, expected: string): number {
  if (!ok) throw new RangeError(`${name}: ${shown(value)} is not ${expected}`);
  return value;
}

/** Every option `BookOptions` has (a Record, so that one added to the type must be added here). */
const BOOK_OPTION_NAMES: Record<keyof BookOptions, true> = {
  symbols: true,
  depth: true,
  url: true,
  demo: true,
  signal: true,
  levels: true,
  fps: true,
  staleAfterMs: true,
  maxLagMs: true,
  readTimeoutMs: true,
};
const DEMO_OPTION_NAMES = ["seed", "rate"];

/**
 * `options` is an object of known names only: a JavaScript caller's misspelt `level: 5` would otherwise be
 * ignored without a word. `prefix` names an inner object (`demo.`).
 */
function checkNames(options: unknown, names: readonly string[], prefix: string, expected: string): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new RangeError(
      `${prefix === "" ? "options" : prefix.slice(0, -1)}: ${shown(options)} is not ${expected}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (names.includes(name)) continue;
    const near = didYouMean(name, names);
    throw new RangeError(
      `${prefix}${name}: not an option${near === undefined ? "" : ` (did you mean ${prefix}${near}?)`}; the options are ${names.map((n) => prefix + n).join(", ")}`,
    );
  }
}

/**
 * Checks every option and fills in the defaults; throws SymbolError or RangeError naming the first bad one.
 * `also`: names a caller takes besides BookOptions' (watchBooks' `bufferSize`).
 */
export function resolveOptions(options: BookOptions, also: readonly string[] = []): ResolvedOptions {
  checkNames(
    options,
    [...Object.keys(BOOK_OPTION_NAMES), ...also],
    "",
    'an object such as { symbols: ["BTC/USD"] }',
  );
  if (options.symbols !== undefined && !Array.isArray(options.symbols)) {
    throw new SymbolError(
      `symbols: expected an array of pairs, e.g. ["BTC/USD"], not ${shown(options.symbols)}`,
    );
  }
  // Left out, BTC/USD, as on the command line; but an empty list given (an empty watchlist read from
  // somewhere) watches nothing a caller asked for, and is said rather than served BTC/USD.
  if (options.symbols?.length === 0) {
    throw new SymbolError('symbols: the list is empty; give at least one pair, e.g. ["BTC/USD"]');
  }
  // A JavaScript caller's list may hold anything; each entry must be a pair's name before it is read as one.
  // (An index loop, not forEach: a hole in the list is an entry too.)
  for (let i = 0; i < (options.symbols?.length ?? 0); i++) {
    const entry: unknown = options.symbols?.[i];
    if (typeof entry !== "string") {
      throw new SymbolError(
        `symbols[${i}]: ${shown(entry)} is not a pair's name: expected a string such as "BTC/USD"`,
      );
    }
  }
  const { symbols } = normaliseSymbols(options.symbols ?? []);
  // As on the command line (--url with --demo): the demo is its own server, and a URL beside it would be
  // ignored in silence.
  if (options.url !== undefined && options.demo !== undefined && options.demo !== false) {
    throw new RangeError(
      `url: cannot be used with demo: that runs the built-in server; give one or the other`,
    );
  }
  const url = options.url ?? KRAKEN_URL;
  const urlProblem = wsUrlProblem(url);
  if (urlProblem !== undefined) throw new RangeError(`url: ${shown(url)}: ${urlProblem}`);
  const levels = options.levels ?? FEED_DEFAULTS.levels;
  check(
    "levels",
    levels,
    Number.isInteger(levels) && levels >= 0 && levels <= DEEPEST_BOOK,
    `a whole number from 0 to ${DEEPEST_BOOK}`,
  );
  // Levels past the default depth open the books deep enough; past a depth asked for, they are an error.
  const depth = options.depth ?? (levels > FEED_DEFAULTS.depth ? depthHolding(levels) : FEED_DEFAULTS.depth);
  check("depth", depth, isBookDepth(depth), `one of ${BOOK_DEPTHS.join(", ")}`);
  check(
    "levels",
    levels,
    levels <= depth,
    `at most depth ${depth} (ask for depth: ${depthHolding(levels)}, or leave depth out)`,
  );
  /** Book events a second: any rate above 0 (0.5: one every 2 s), at most MAX_FPS as on the command line. */
  const isFpsRate = (v: unknown): boolean =>
    typeof v === "number" && Number.isFinite(v) && v > 0 && v <= MAX_FPS;
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    return check(name, v, typeof v === "number" && Number.isFinite(v) && v > 0, "a number above 0");
  };
  /** A wait in milliseconds: above 0, and at most what a timer holds (one asked for more fires at once). */
  const wait = (name: string, value: number | undefined, fallback: number): number => {
    const ms = positive(name, value, fallback);
    return check(
      name,
      ms,
      ms <= LONGEST_TIMER_MS,
      `at most ${LONGEST_TIMER_MS} (about 24 days, the longest a timer waits)`,
    );
  };
  const demo = options.demo === true ? {} : options.demo === false ? undefined : options.demo;
  if (demo !== undefined)
    checkNames(demo, DEMO_OPTION_NAMES, "demo.", "true or an object such as { seed: 7, rate: 20 }");
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new RangeError(`signal: ${shown(options.signal)} is not an AbortSignal`);
  }
  if (demo?.seed !== undefined) {
    check(
      "demo.seed",
      demo.seed,
      Number.isSafeInteger(demo.seed) && demo.seed >= 0,
      "a whole number, 0 or more",
    );
  }
  if (demo?.rate !== undefined) positive("demo.rate", demo.rate, 0);
  const readTimeoutMs = wait("readTimeoutMs", options.readTimeoutMs, FEED_DEFAULTS.readTimeoutMs);
  const floor = readTimeoutFloorMs(FEED_DEFAULTS.pingIntervalMs);
  check(
    "readTimeoutMs",
    readTimeoutMs,
    readTimeoutMs > floor,
    `above ${floor}: Kraken sends a heartbeat every ${KRAKEN_HEARTBEAT_MS} ms, and a shorter wait drops a quiet, healthy connection again and again`,
  );
  const fps = options.fps ?? FEED_DEFAULTS.fps;
  return {
    url,
    demo,
    signal: options.signal,
    feed: {
      symbols,
      depth,
      levels,
      fps: check("fps", fps, isFpsRate(fps), `a number above 0, at most ${MAX_FPS}`),
      readTimeoutMs,
      pingIntervalMs: FEED_DEFAULTS.pingIntervalMs,
      staleAfterMs: wait("staleAfterMs", options.staleAfterMs, FEED_DEFAULTS.staleAfterMs),
      maxLagMs: wait("maxLagMs", options.maxLagMs, FEED_DEFAULTS.maxLagMs),
      quietAfterMs: FEED_DEFAULTS.quietAfterMs,
      maxFrameBytes: FEED_DEFAULTS.maxFrameBytes,
      backoffBaseMs: FEED_DEFAULTS.backoffBaseMs,
      backoffCapMs: FEED_DEFAULTS.backoffCapMs,
      backoffResetMs: FEED_DEFAULTS.backoffResetMs,
    },
  };
}
