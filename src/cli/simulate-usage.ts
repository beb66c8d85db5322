import type { SimulateFlags } from "./simulate.js";

const seconds = (ms: number): string => `${ms / 1000} s`;

/**
 * Whether a fault of these flags is left to chance (`--corrupt-prob`, `--malformed-prob`): it draws from
 * the seed, so `--seed` repeats it, with `--replay` too.
 */
export function chanceFaults(f: Pick<SimulateFlags, "corruptProb" | "malformedProb">): boolean {
  return f.corruptProb !== undefined || f.malformedProb !== undefined;
}

/**
 * Why `simulate`'s flags, as given, hold one that would do nothing, if they do: a flag that only shapes
 * another one left out (`--drop-mode` without `--drop-every`), a fault another fault forestalls (a pair
 * both `--reject`ed and `--unanswered`; a silence, corruption or malformed frame timed at or after
 * `--drop-every` has closed the connection), or a market fault with `--replay`: those act on the demo
 * market's model (its instrument statuses, system status, trade tape), and a replay serves the recorded
 * frames as they are. `given` says whether a flag (by its attribute name) was on the command
 * line, so a default never counts. The `--seed`, `--rate`, `--pairs` and `--speed` cases are the
 * ladder's too, and are checked with its (checkUsage in program.ts).
 */
export function pointlessSimulateFlag(
  f: SimulateFlags,
  given: (name: string) => boolean,
): string | undefined {
  const needs = (flag: string, what: string, others: string): string =>
    `${flag} ${what}; it does nothing without ${others}`;
  if (f.replay !== undefined)
    for (const [flag, value] of [
      ["--pair-status", f.pairStatus],
      ["--system-status", f.systemStatus],
      ["--skip-trade-id", f.skipTradeId],
      ["--repeat-trade-id", f.repeatTradeId],
    ] as const)
      if (value !== undefined)
        return `${flag} is a fault of the demo market; it does nothing with --replay, which serves the recorded frames as they are`;
  if (given("dropMode") && f.dropEvery === undefined)
    return needs("--drop-mode", "is how --drop-every drops a connection", "--drop-every");
  if (given("silenceAfter") && f.silence === undefined)
    return needs("--silence-after", "is when --silence starts", "--silence");
  if (f.corruptSymbol !== undefined && f.corruptProb === undefined && f.corruptAt === undefined)
    return needs("--corrupt-symbol", "limits --corrupt-prob and --corrupt-at", "one of them");
  if (f.malformedKinds !== undefined && f.malformedProb === undefined && f.malformedEvery === undefined)
    return needs(
      "--malformed-kinds",
      "chooses the frames of --malformed-prob and --malformed-every",
      "one of them",
    );
  if (given("burstWait") && f.burst === undefined)
    return needs("--burst-wait", "is how long --burst holds a partial group", "--burst");
  if (f.burst === 1) return "--burst 1 releases each frame as it comes; it does nothing (give 2 or more)";

  const rejected = new Set(f.reject ?? []);
  const alsoRejected = (flag: string, symbols: readonly string[]): string | undefined => {
    const symbol = symbols.find((s) => rejected.has(s));
    return symbol === undefined
      ? undefined
      : `${flag} ${symbol} does nothing: --reject ${symbol} refuses every subscription to that pair`;
  };
  const overlap =
    alsoRejected("--unanswered", f.unanswered ?? []) ??
    alsoRejected("--corrupt-symbol", f.corruptSymbol === undefined ? [] : [f.corruptSymbol]) ??
    alsoRejected(
      "--skip-trade-id",
      (f.skipTradeId ?? []).map((t) => t.symbol),
    ) ??
    alsoRejected(
      "--repeat-trade-id",
      (f.repeatTradeId ?? []).map((t) => t.symbol),
    );
  if (overlap !== undefined) return overlap;
  if (f.corruptSymbol !== undefined && (f.unanswered ?? []).includes(f.corruptSymbol))
    return `--corrupt-symbol ${f.corruptSymbol} does nothing: --unanswered ${f.corruptSymbol} sends that pair no book frame to corrupt`;

  // Connection faults count from the connection's opening; the drop's timer is set first, so at the same
  // moment the drop comes first.
  if (f.dropEvery !== undefined) {
    const drop = `--drop-every ${seconds(f.dropEvery)} closes every connection first`;
    if (f.silence !== undefined && f.silenceAfter >= f.dropEvery)
      return `--silence would start ${seconds(f.silenceAfter)} after a connection opens (--silence-after), but ${drop}: it would never happen`;
    if (f.corruptAt !== undefined && f.corruptAt >= f.dropEvery)
      return `--corrupt-at ${seconds(f.corruptAt)} would never happen: ${drop}`;
    if (f.malformedEvery !== undefined && f.malformedEvery >= f.dropEvery)
      return `--malformed-every ${seconds(f.malformedEvery)} would never happen: ${drop}`;
  }

  return undefined;
}
