import { Command, InvalidArgumentError, Option } from "commander";
import {
  parseNonNegativeInt,
  parsePort,
  parseReplayFile,
  parsePositiveInt,
  parsePositiveNumber,
  parsePositiveSeconds,
  parseProbability,
  parseSeconds,
  parseSpeed,
  parseSymbol,
  parseSymbolList,
} from "./parsers.js";
import { EXIT } from "../app/exit-codes.js";
import { parsePairStatus, parseSystemStatus, parseTradeIdFault } from "./market-fault-flags.js";
import { createShutdown } from "../app/shutdown.js";
import { MALFORMED_KINDS } from "../sim/faults.js";
import type {
  FaultOptions,
  MalformedKind,
  TimedPairStatus,
  TimedSystemStatus,
  TimedTradeIdFault,
} from "../sim/faults.js";
import { DEFAULT_LIMITS, MIB } from "../sim/limits.js";
import type { SimOptions } from "../sim/server.js";
import { parsePairs } from "./watch-flags.js";
import { fileReason } from "../text/file-reason.js";
import { chanceFaults, pointlessSimulateFlag } from "./simulate-usage.js";

/** The flags as commander hands them over: seconds in milliseconds, symbols normalised. */
export type SimulateFlags = {
  host: string;
  port: number;
  rate: number;
  seed?: number;
  pairs?: number;
  replay?: string;
  speed: number;
  heartbeat: number;
  dropEvery?: number;
  dropMode: "close" | "terminate";
  silence?: number;
  silenceAfter: number;
  corruptProb?: number;
  corruptAt?: number;
  corruptSymbol?: string;
  malformedProb?: number;
  malformedEvery?: number;
  malformedKinds?: MalformedKind[];
  reject?: string[];
  unanswered?: string[];
  drip?: number;
  burst?: number;
  burstWait: number;
  pairStatus?: TimedPairStatus[];
  systemStatus?: TimedSystemStatus[];
  skipTradeId?: TimedTradeIdFault[];
  repeatTradeId?: TimedTradeIdFault[];
  maxBuffer: number;
  msgRate: number;
  msgBurst: number;
  maxSymbols: number;
};

function parseMalformedKinds(value: string): MalformedKind[] {
  const kinds = value.split(",").map((s) => s.trim());
  for (const k of kinds) {
    if (!(MALFORMED_KINDS as readonly string[]).includes(k)) {
      throw new InvalidArgumentError(`expected a comma-separated list of ${MALFORMED_KINDS.join(", ")}.`);
    }
  }
  return kinds as MalformedKind[];
}

/**
 * `kraken-ladder simulate`: a Kraken v2-compatible server (demo market or replay, with optional
 * faults). Prints its ws:// URL as the first line of stdout, serves until SIGINT, SIGTERM or SIGHUP, exits 0
 * (2: the recording cannot be read; 1: cannot listen).
 */
export function simulateCommand(): Command {
  return new Command("simulate")
    .description("serve a Kraken v2-compatible WebSocket feed: demo market, replay, fault injection")
    .helpOption("-h, --help", "show this help")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <n>", "port (0: any free port)", parsePort, 0)
    .option("--rate <n>", "demo: update messages per second per symbol", parsePositiveNumber, 10)
    .option(
      "--seed <n>",
      "demo, and --corrupt-prob/--malformed-prob: random seed (default: random, printed to stderr)",
      parseNonNegativeInt,
    )
    .option("--pairs <n>", "demo: add N synthetic pairs (varied quotes, precisions, rates)", parsePairs)
    .option(
      "--replay <file>",
      "serve this recording (JSONL of raw Kraken frames) instead of the demo market",
      parseReplayFile,
    )
    .option("--speed <n|max>", "replay speed factor, or max", parseSpeed, 1)
    .addOption(sec("--heartbeat <s>", "heartbeat interval once anything is subscribed", 1000, "1"))
    .option(
      "--drop-every <s>",
      "fault: drop each connection this many seconds after it opens",
      parsePositiveSeconds,
    )
    .addOption(
      new Option(
        "--drop-mode <mode>",
        "fault: how to drop: close (close frame 1001) or terminate (no close frame)",
      )
        .choices(["close", "terminate"])
        .default("close"),
    )
    .option(
      "--silence <s>",
      "fault: go silent this many seconds, socket open (no frames, heartbeats or pongs)",
      parsePositiveSeconds,
    )
    .addOption(
      sec(
        "--silence-after <s>",
        "fault: when the silence starts, from the connection's opening",
        5000,
        "5",
        true,
      ),
    )
    .option(
      "--corrupt-prob <p>",
      "fault: probability of corrupting each book frame's checksum",
      parseProbability,
    )
    .option(
      "--corrupt-at <s>",
      "fault: corrupt the first book frame this many seconds after connecting",
      parseSeconds,
    )
    .option("--corrupt-symbol <symbol>", "fault: corrupt only this symbol's frames", parseSymbol)
    .option(
      "--malformed-prob <p>",
      "fault: probability of a malformed frame after each book frame",
      parseProbability,
    )
    .option("--malformed-every <s>", "fault: send a malformed frame this often", parsePositiveSeconds)
    .option(
      "--malformed-kinds <list>",
      "fault: malformed kinds to send in turn: json,types,channel",
      parseMalformedKinds,
    )
    .option(
      "--reject <symbols>",
      "fault: reject these symbols as unknown pairs (comma-separated, repeatable)",
      parseSymbolList,
    )
    .option(
      "--unanswered <symbols>",
      "fault: never answer book subscribes of these symbols: no ack, no snapshot (comma-separated, repeatable)",
      parseSymbolList,
    )
    .option(
      "--drip <s>",
      "fault: release at most one frame per this many seconds (frames queue)",
      parsePositiveSeconds,
    )
    .option("--burst <n>", "fault: hold frames and release them n at a time", parsePositiveInt)
    .addOption(sec("--burst-wait <s>", "fault: longest a partial burst is held", 1000, "1"))
    .option(
      "--pair-status <SYMBOL=STATUS@S>",
      "fault: a pair's instrument status from S seconds after start, e.g. BTC/USD=post_only@10s (repeatable)",
      parsePairStatus,
    )
    .option(
      "--system-status <STATUS@S>",
      "fault: the system status from S seconds after start, e.g. maintenance@20s (repeatable)",
      parseSystemStatus,
    )
    .option(
      "--skip-trade-id <SYMBOL@S>",
      "fault: the pair's first trade from S seconds after start skips one trade_id (repeatable)",
      parseTradeIdFault,
    )
    .option(
      "--repeat-trade-id <SYMBOL@S>",
      "fault: the pair's first trade from S seconds after start repeats the previous trade_id (repeatable)",
      parseTradeIdFault,
    )
    .option(
      "--max-buffer <MiB>",
      "bound: close a client (1013) holding more than this unsent",
      parsePositiveNumber,
      DEFAULT_LIMITS.maxBufferBytes / MIB,
    )
    .option(
      "--msg-rate <n>",
      "bound: requests per second per connection; over it: Exceeded msg rate",
      parsePositiveNumber,
      DEFAULT_LIMITS.msgRate,
    )
    .option(
      "--msg-burst <n>",
      "bound: requests a connection may send at once before --msg-rate applies",
      parsePositiveInt,
      DEFAULT_LIMITS.msgBurst,
    )
    .option(
      "--max-symbols <n>",
      "bound: most symbols in one request (more: one error)",
      parsePositiveInt,
      DEFAULT_LIMITS.maxSymbols,
    )
    .hook("preAction", (cmd) => {
      // A flag that would do nothing is a usage error, as the ladder's are (checkUsage in program.ts).
      const problem = pointlessSimulateFlag(
        cmd.opts<SimulateFlags>(),
        (name) => cmd.getOptionValueSource(name) === "cli",
      );
      if (problem !== undefined)
        cmd.error(`error: ${problem}`, { exitCode: EXIT.USAGE, code: "commander.conflictingOption" });
    })
    .action(async (flags: SimulateFlags) => {
      process.exitCode = await runSimulate(flags);
    });
}

function sec(flags: string, description: string, ms: number, shown: string, zeroOk = false): Option {
  return new Option(flags, description)
    .argParser(zeroOk ? parseSeconds : parsePositiveSeconds)
    .default(ms, shown);
}

function toSimOptions(f: SimulateFlags, seed: number): SimOptions {
  const faults: FaultOptions = {
    ...(f.dropEvery === undefined ? {} : { dropEveryMs: f.dropEvery, dropMode: f.dropMode }),
    ...(f.silence === undefined ? {} : { silenceMs: f.silence, silenceAfterMs: f.silenceAfter }),
    ...(f.corruptProb === undefined ? {} : { corruptProbability: f.corruptProb }),
    ...(f.corruptAt === undefined ? {} : { corruptAtMs: f.corruptAt }),
    ...(f.corruptSymbol === undefined ? {} : { corruptSymbol: f.corruptSymbol }),
    ...(f.malformedProb === undefined ? {} : { malformedProbability: f.malformedProb }),
    ...(f.malformedEvery === undefined ? {} : { malformedEveryMs: f.malformedEvery }),
    ...(f.malformedKinds === undefined ? {} : { malformedKinds: f.malformedKinds }),
    ...(f.reject === undefined ? {} : { rejectSymbols: f.reject }),
    ...(f.unanswered === undefined ? {} : { unansweredSymbols: f.unanswered }),
    ...(f.drip === undefined ? {} : { dripMs: f.drip }),
    ...(f.burst === undefined ? {} : { burst: f.burst, burstWaitMs: f.burstWait }),
    ...(f.pairStatus === undefined ? {} : { pairStatus: f.pairStatus }),
    ...(f.systemStatus === undefined ? {} : { systemStatus: f.systemStatus }),
    ...(f.skipTradeId === undefined ? {} : { skipTradeId: f.skipTradeId }),
    ...(f.repeatTradeId === undefined ? {} : { repeatTradeId: f.repeatTradeId }),
  };
  return {
    host: f.host,
    port: f.port,
    rate: f.rate,
    seed,
    ...(f.pairs === undefined ? {} : { pairs: f.pairs }),
    speed: f.speed,
    heartbeatMs: f.heartbeat,
    faults,
    limits: {
      maxBufferBytes: Math.round(f.maxBuffer * MIB),
      msgRate: f.msgRate,
      msgBurst: f.msgBurst,
      maxSymbols: f.maxSymbols,
    },
    ...(f.replay === undefined ? {} : { replayPath: f.replay }),
  };
}

async function runSimulate(flags: SimulateFlags): Promise<number> {
  // Loaded here, not with the command's definition, which every command (`verify` too) loads.
  const [{ CATALOGUE }, { randomSeed }] = await Promise.all([
    import("../sim/catalogue.js"),
    import("../sim/random.js"),
  ]);
  const seed = flags.seed ?? randomSeed();
  // Listening for the signals before the URL is printed: whoever reads it may signal at once.
  const shutdown = createShutdown({
    report: (m) => void process.stderr.write(`kraken-ladder simulate: ${m}\n`),
  });
  const { startSimServer } = await import("../sim/server.js");
  let server;
  try {
    server = await startSimServer({
      ...toSimOptions(flags, seed),
      log: (line) => void process.stderr.write(line + "\n"),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Binding fails with syscall listen (EADDRINUSE, EACCES) or getaddrinfo (a host that does not resolve).
    const binding = err.syscall === "listen" || err.syscall === "getaddrinfo" || flags.replay === undefined;
    const what = binding ? `listen on ${flags.host}:${flags.port}` : `serve ${flags.replay}`;
    process.stderr.write(`kraken-ladder simulate: cannot ${what}: ${fileReason(err)}\n`);
    const { CompressedRecordingError } = await import("../recording/lines.js");
    const { NoBookDataError } = await import("../recording/outline.js");
    const unusable =
      (!binding && (err.code === "ENOENT" || err.code === "EACCES" || err.code === "EISDIR")) ||
      err instanceof CompressedRecordingError ||
      err instanceof NoBookDataError;
    return shutdown.run(unusable ? EXIT.USAGE : EXIT.FAILURE);
  }
  const started = server;
  // Its clients hear that it is going away (a close frame, 1001), not a dropped connection.
  shutdown.onCleanup(() => started.close({ goingAway: true }));
  // A fault aimed at a pair this server does not have would never happen: a typo, said rather than ignored.
  const strays = faultPairs(flags).filter(([, symbol]) => !started.serves(symbol));
  if (strays.length > 0) {
    const source = flags.replay === undefined ? "the demo market" : `the recording ${flags.replay}`;
    for (const [flag, symbol] of strays)
      process.stderr.write(
        `kraken-ladder simulate: ${flag} ${symbol}: ${source} has no such pair, so the fault would never happen\n`,
      );
    return shutdown.run(EXIT.USAGE);
  }
  process.stdout.write(server.url + "\n");
  process.stderr.write(
    flags.replay === undefined
      ? `simulate: demo market, seed ${seed}, ${flags.rate} msg/s per symbol; pairs: ${CATALOGUE.map((p) => p.symbol).join(" ")}${flags.pairs === undefined ? "" : ` and ${flags.pairs} synthetic`}\n`
      : `simulate: replaying ${flags.replay} at ${flags.speed === Infinity ? "max" : `${flags.speed}x`} speed${chanceFaults(flags) ? `, seed ${seed}` : ""}\n`,
  );
  await shutdown.requested;
  return shutdown.run(EXIT.OK);
}

/** The pairs the fault flags name, with their flag (`--reject` aside: an unknown pair is rejected anyway). */
function faultPairs(f: SimulateFlags): [flag: string, symbol: string][] {
  return [
    ...(f.corruptSymbol === undefined ? [] : [["--corrupt-symbol", f.corruptSymbol] as [string, string]]),
    ...(f.unanswered ?? []).map((s): [string, string] => ["--unanswered", s]),
    ...(f.pairStatus ?? []).map((p): [string, string] => ["--pair-status", p.symbol]),
    ...(f.skipTradeId ?? []).map((t): [string, string] => ["--skip-trade-id", t.symbol]),
    ...(f.repeatTradeId ?? []).map((t): [string, string] => ["--repeat-trade-id", t.symbol]),
  ];
}
