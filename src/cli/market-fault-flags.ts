import { InvalidArgumentError } from "commander";
import { parseSymbol } from "./parsers.js";
import { PAIR_STATUSES, SYSTEM_STATUSES } from "../sim/catalogue.js";
import type { TimedPairStatus, TimedSystemStatus, TimedTradeIdFault } from "../sim/faults.js";

/** `10s`, `10`, `2.5s`: seconds from the server's start, in milliseconds. */
function atMs(text: string, flagExample: string): number {
  const m = /^(\d+(?:\.\d+)?)s?$/.exec(text.trim());
  if (m === null) throw new InvalidArgumentError(`expected a time in seconds after @, e.g. ${flagExample}.`);
  return Math.round(Number(m[1]) * 1000);
}

/** `value` as what comes before its `@` and the time after it; `shape` is the flag's (`SYMBOL@SECONDS`). */
function splitAt(value: string, shape: string, example: string): [string, number] {
  const i = value.lastIndexOf("@");
  if (i <= 0) throw new InvalidArgumentError(`expected ${shape}, e.g. ${example}.`);
  return [value.slice(0, i).trim(), atMs(value.slice(i + 1), example)];
}

/** `--pair-status BTC/USD=post_only@10s` (repeatable): the pair's instrument status from that time. */
export function parsePairStatus(value: string, previous: readonly TimedPairStatus[] = []): TimedPairStatus[] {
  const example = "BTC/USD=post_only@10s";
  const [what, ms] = splitAt(value, "SYMBOL=STATUS@SECONDS", example);
  const eq = what.indexOf("=");
  const symbol = what.slice(0, eq).trim();
  const status = what.slice(eq + 1).trim();
  if (eq <= 0 || !symbol.includes("/") || !/^[a-z_]+$/.test(status)) {
    throw new InvalidArgumentError(
      `expected SYMBOL=STATUS@SECONDS, e.g. ${example}; STATUS is lower case and _ (Kraken's: ${PAIR_STATUSES.join(", ")}; any other word tries a client on one it does not know).`,
    );
  }
  return [...previous, { symbol: parseSymbol(symbol), status, atMs: ms }];
}

/** `--system-status maintenance@20s` (repeatable): the system status from that time. */
export function parseSystemStatus(
  value: string,
  previous: readonly TimedSystemStatus[] = [],
): TimedSystemStatus[] {
  const [status, ms] = splitAt(value, "STATUS@SECONDS", "maintenance@20s");
  if (!(SYSTEM_STATUSES as readonly string[]).includes(status)) {
    throw new InvalidArgumentError(`expected one of ${SYSTEM_STATUSES.join(", ")} before @.`);
  }
  return [...previous, { status, atMs: ms }];
}

/** `--skip-trade-id BTC/USD@5s`, `--repeat-trade-id BTC/USD@5s` (repeatable). */
export function parseTradeIdFault(
  value: string,
  previous: readonly TimedTradeIdFault[] = [],
): TimedTradeIdFault[] {
  const [symbol, ms] = splitAt(value, "SYMBOL@SECONDS", "BTC/USD@5s");
  if (!symbol.includes("/")) throw new InvalidArgumentError("expected SYMBOL@SECONDS, e.g. BTC/USD@5s.");
  return [...previous, { symbol: parseSymbol(symbol), atMs: ms }];
}
