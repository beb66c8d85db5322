import { Command, CommanderError, Option } from "commander";
import { didYouMean } from "../text/did-you-mean.js";
import packageJson from "../../package.json" with { type: "json" };
import { EXIT } from "../app/exit-codes.js";
import { DEFAULT_DEPTH, DEFAULT_MAX_FRAME, streamsNdjson } from "../app/options.js";
import { KRAKEN_HEARTBEAT_MS, readTimeoutFloorMs } from "../feed/read-timeout.js";
import { KRAKEN_URL } from "../feed/ws-url.js";
import { MAX_FPS } from "../config/settings-types.js";
import type { AppOptions } from "../app/options.js";
import type { FeedSetupOptions } from "../app/feed-setup.js";
import { serveCommand } from "./serve.js";
import { verifyCommand } from "./verify.js";
import { simulateCommand } from "./simulate.js";
import { chanceFaults } from "./simulate-usage.js";
import { configCommand } from "./config.js";
import { addDisplayOptions, ENV, settingsOf, useSettings } from "./settings.js";
import { addWatchOptions, toWatchOptions } from "./watch-flags.js";
import type { WatchFlags } from "./watch-flags.js";
import {
  parseBytes,
  parseDepth,
  parseRecordFile,
  parseReplayFile,
  parseFps,
  parsePositiveNumber,
  parsePositiveSeconds,
  parseNonNegativeInt,
  parseSeconds,
  parseSpeed,
  parseWsUrl,
  tokenProblem,
} from "./parsers.js";

const VERSION = packageJson.version;

/** The feed's flags as commander hands them over (see addFeedOptions). */
export type FeedFlags = {
  url: string;
  depth?: number;
  fps: number;
  duration?: number;
  record?: string;
  readTimeout: number;
  pingInterval: number;
  staleAfter: number;
  maxLag: number;
  quietAfter: number;
  maxFrame: number;
  backoffBase: number;
  backoffCap: number;
  backoffReset: number;
  subscribeTimeout: number;
  demo?: boolean;
  replay?: string;
  speed: number;
  seed?: number;
  rate?: number;
};

type RootFlags = FeedFlags & WatchFlags & { json?: boolean; vapWindow: number };

function toAppOptions(symbols: readonly string[], f: RootFlags, cmd: Command): AppOptions {
  const settings = settingsOf(cmd);
  return {
    ...toFeedSetupOptions(symbols, f),
    ...toWatchOptions(f),
    json: f.json === true,
    vapWindowMs: f.vapWindow,
    ...(settings === undefined
      ? {}
      : {
          display: {
            color: settings.color.value,
            ascii: settings.ascii.value,
            grouping: settings.grouping.value,
            configPath: settings.file.path,
          },
        }),
  };
}

/** The feed's options from its flags. */
export function toFeedSetupOptions(symbols: readonly string[], f: FeedFlags): FeedSetupOptions {
  return {
    symbols,
    url: f.url,
    ...(f.depth === undefined ? {} : { depth: f.depth }),
    fps: f.fps,
    ...(f.duration === undefined ? {} : { durationMs: f.duration }),
    ...(f.record === undefined ? {} : { recordPath: f.record }),
    readTimeoutMs: f.readTimeout,
    pingIntervalMs: f.pingInterval,
    staleAfterMs: f.staleAfter,
    maxLagMs: f.maxLag,
    quietAfterMs: f.quietAfter,
    maxFrameBytes: f.maxFrame,
    backoffBaseMs: f.backoffBase,
    backoffCapMs: f.backoffCap,
    backoffResetMs: f.backoffReset,
    subscribeTimeoutMs: f.subscribeTimeout,
    demo: f.demo === true,
    ...(f.replay === undefined ? {} : { replayPath: f.replay }),
    speed: f.speed,
    ...(f.seed === undefined ? {} : { seed: f.seed }),
    ...(f.rate === undefined ? {} : { rate: f.rate }),
  };
}

export function buildProgram(): Command {
  const program = new Command("kraken-ladder")
    .description("A live, checksum-validated Kraken order-book ladder for the terminal.")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show this help")
    .argument(
      "[symbols...]",
      "pairs to watch, e.g. BTC/USD ETH/USD (default: the config file's symbols, else BTC/USD)",
    );
  addWatchOptions(
    addDisplayOptions(addFeedOptions(program, "; the ladder opens deeper in a pane with more rows"))
      .option("--json", "stream NDJSON instead of the ladder (automatic when stdout is not a terminal)")
      .addOption(
        seconds(
          "--vap-window <s>",
          "ladder: the volume-at-price column sums trades of this many seconds (from subscription)",
          parsePositiveSeconds,
          300_000,
          "300",
        ),
      ),
  ).action(async (symbols: string[], flags: RootFlags, cmd: Command) => {
    const { runApp } = await import("../app/run.js");
    process.exitCode = await runApp(toAppOptions(symbols, flags, cmd));
  });
  // Without positional options the root's --json and --depth would swallow the subcommand's own flags
  // (`verify FILE --json` printed the table, `verify --depth 1000` was ignored).
  program.enablePositionalOptions();
  program.addCommand(verifyCommand());
  program.addCommand(simulateCommand());
  program.addCommand(serveCommand());
  program.addCommand(configCommand());
  program.helpCommand("help [command]", "show the help of a command");
  strictUsage(program, "kraken-ladder");
  program.hook("preAction", (_root, action) => checkUsage(program, action));
  useSettings(program);
  return program;
}

/**
 * Usage errors commander cannot see: a mistyped command taken for a symbol (`verfy`), `--url` given
 * with `--demo` or `--replay`, which run the built-in server instead (a URL from the environment or the
 * config file is only a default, and gives way to them), demo or replay flags where there is neither (they
 * would do nothing), `--depth` with `--replay` (served at the recording's depth: it would do nothing), and
 * a `--read-timeout` no healthy connection outlasts (readTimeoutFloorMs).
 */
function checkUsage(program: Command, action: Command): void {
  if (action === program) {
    const first = (action.processedArgs[0] as string[] | undefined)?.[0];
    if (first !== undefined && !first.includes("/")) {
      const near = didYouMean(first, [...program.commands.map((c) => c.name()), "help"]);
      if (near !== undefined)
        action.error(`error: unknown command '${first}' (did you mean ${near}?)`, {
          exitCode: EXIT.USAGE,
          code: "commander.unknownCommand",
        });
    }
  }
  const opts = action.opts<{ demo?: boolean; replay?: string }>();
  if (action.getOptionValueSource("url") === "cli" && (opts.demo === true || opts.replay !== undefined))
    action.error(
      `error: --url cannot be used with ${opts.demo === true ? "--demo" : "--replay"}: that runs the built-in server`,
      { exitCode: EXIT.USAGE, code: "commander.conflictingOption" },
    );
  if (opts.demo === true && opts.replay !== undefined)
    action.error("error: --demo and --replay cannot be used together", {
      exitCode: EXIT.USAGE,
      code: "commander.conflictingOption",
    });
  // Flags of the built-in server's demo market or replay, given where there is none: they would do nothing.
  const given = (name: string): boolean => action.getOptionValueSource(name) === "cli";
  const simulate = action.name() === "simulate";
  const demo = simulate ? opts.replay === undefined : opts.demo === true;
  // A simulated replay's chance faults draw from the seed: with one of them, --seed repeats the run.
  const seeded = demo || (simulate && chanceFaults(action.opts()));
  for (const name of ["seed", "rate", "pairs"])
    if (given(name) && !(name === "seed" ? seeded : demo))
      action.error(
        simulate && name === "seed"
          ? "error: --seed is for the demo market, and for --corrupt-prob and --malformed-prob; it does nothing with --replay without one of them"
          : `error: --${name} is for the demo market${simulate ? "" : " (--demo)"}; it does nothing ${opts.replay === undefined ? "against the exchange (--url)" : "with --replay"}`,
        { exitCode: EXIT.USAGE, code: "commander.conflictingOption" },
      );
  if (given("speed") && opts.replay === undefined)
    action.error(
      `error: --speed is the pace of a --replay; it does nothing ${demo ? "for the demo market" : "against the exchange (--url)"}`,
      { exitCode: EXIT.USAGE, code: "commander.conflictingOption" },
    );
  if (given("depth") && opts.replay !== undefined)
    action.error("error: --depth does nothing with --replay: its books are served at the recording's depth", {
      exitCode: EXIT.USAGE,
      code: "commander.conflictingOption",
    });
  if (action === program) checkModeFlags(action, given);
  const { token } = action.opts<{ token?: string }>();
  const badToken = token === undefined ? undefined : tokenProblem(token);
  if (badToken !== undefined)
    action.error(
      `error: ${action.getOptionValueSource("token") === "env" ? "KRAKEN_LADDER_TOKEN" : "--token"} ${badToken}`,
      { exitCode: EXIT.USAGE, code: "commander.invalidArgument" },
    );
  const { readTimeout, pingInterval } = action.opts<{ readTimeout?: number; pingInterval?: number }>();
  if (
    readTimeout !== undefined &&
    pingInterval !== undefined &&
    readTimeout <= readTimeoutFloorMs(pingInterval)
  )
    action.error(
      `error: --read-timeout ${readTimeout / 1000} would drop a quiet, healthy connection again and again: ` +
        `Kraken sends a heartbeat every ${KRAKEN_HEARTBEAT_MS / 1000} s, and a ping (answered by a pong) goes every --ping-interval ` +
        `(${pingInterval / 1000} s). Give a --read-timeout above ${readTimeoutFloorMs(pingInterval) / 1000} s, ` +
        `or a shorter --ping-interval.`,
      { exitCode: EXIT.USAGE, code: "commander.invalidArgument" },
    );
}

/**
 * Flags of one output, given for the other: they would do nothing. The ladder's (`--board`,
 * `--vap-window`) with NDJSON (streamsNdjson, as runApp decides); NDJSON's
 * (`--analytics`, `--json-levels`) on the ladder; `--bps` and `--notional` (the analytics' and the
 * board's) with NDJSON but no `--analytics`.
 */
function checkModeFlags(action: Command, given: (name: string) => boolean): void {
  const json = action.opts<{ json?: boolean }>().json;
  const ndjson = json === true ? "--json" : "NDJSON (stdout is not a terminal)";
  const problem = (flag: string, why: string): never =>
    action.error(`error: ${flag} ${why}`, { exitCode: EXIT.USAGE, code: "commander.conflictingOption" });
  if (streamsNdjson(json)) {
    if (given("board")) problem("--board", `starts the ladder on the board; it does nothing with ${ndjson}`);
    if (given("vapWindow"))
      problem("--vap-window", `is the ladder's volume column; it does nothing with ${ndjson}`);
    if (!given("analytics"))
      for (const [name, flag] of [
        ["bps", "--bps"],
        ["notional", "--notional"],
      ] as const)
        if (given(name))
          problem(
            flag,
            `is for --analytics and the board; it does nothing with ${ndjson} without --analytics`,
          );
  } else {
    for (const [name, flag] of [
      ["analytics", "--analytics"],
      ["jsonLevels", "--json-levels"],
    ] as const)
      if (given(name)) problem(flag, "is for NDJSON (--json); it does nothing on the ladder");
  }
}

/**
 * The feed's options, shared by the ladder and `serve`: endpoint, depth, rate of views, duration,
 * recording, timeouts, backoff, and the built-in server (--demo, --replay). `depthNote` ends the
 * depth's default in the help.
 */
export function addFeedOptions(cmd: Command, depthNote = ""): Command {
  return cmd
    .addOption(urlOption())
    .addOption(depthOption(depthNote))
    .addOption(fpsOption())
    .option("--duration <s>", "stop by itself after this many seconds", parsePositiveSeconds)
    .option("--record <file>", "append every raw frame received to FILE (JSONL)", parseRecordFile)
    .addOption(
      seconds(
        "--read-timeout <s>",
        "no frame for this long means a dead socket: reconnect (more than 1 s, Kraken's heartbeat, or than --ping-interval)",
        parsePositiveSeconds,
        10_000,
        "10",
      ),
    )
    .addOption(
      seconds("--ping-interval <s>", "send an application ping this often", parsePositiveSeconds, 5_000, "5"),
    )
    .addOption(
      seconds(
        "--stale-after <s>",
        "mark a book stale after this long without a change",
        parsePositiveSeconds,
        30_000,
        "30",
      ),
    )
    .addOption(
      seconds(
        "--max-lag <s>",
        "mark a verified book lagging when it is this far behind the exchange, or the exchange takes this long to answer a ping",
        parsePositiveSeconds,
        3_000,
        "3",
      ),
    )
    .addOption(
      seconds(
        "--quiet-after <s>",
        "no frame at all (heartbeats count) for this long: connection quiet, books lagging; a feed worker silent this long (at least 2 s): stalled",
        parsePositiveSeconds,
        3_000,
        "3",
      ),
    )
    .addOption(
      new Option(
        "--max-frame <size>",
        "largest frame accepted, in bytes or with KiB/MiB; larger is a protocol fault",
      )
        .argParser(parseBytes)
        .default(DEFAULT_MAX_FRAME, "1MiB"),
    )
    .addOption(
      seconds("--backoff-base <s>", "first reconnect delay ceiling", parsePositiveSeconds, 250, "0.25"),
    )
    .addOption(seconds("--backoff-cap <s>", "largest reconnect delay", parsePositiveSeconds, 30_000, "30"))
    .addOption(
      seconds(
        "--backoff-reset <s>",
        "any connection up this long resets the backoff (one that served every book, sooner)",
        parseSeconds,
        60_000,
        "60",
      ),
    )
    .addOption(
      seconds(
        "--subscribe-timeout <s>",
        "no ack to a subscribe, or no snapshot after it, this long: subscribe again",
        parsePositiveSeconds,
        5_000,
        "5",
      ),
    )
    .option("--demo", "run offline against the built-in Kraken-compatible server")
    .option("--replay <file>", "run against the built-in server replaying a recording", parseReplayFile)
    .option("--speed <n|max>", "replay speed factor, or max", parseSpeed, 1)
    .option("--seed <n>", "demo: random seed", parseNonNegativeInt)
    .option("--rate <n>", "demo: update messages per second per symbol", parsePositiveNumber);
}

/** The settings a config file also holds, as flags: --url, --depth, --fps (each with its env variable). */
export function urlOption(): Option {
  return new Option("--url <url>", "Kraken WebSocket v2 endpoint")
    .argParser(parseWsUrl)
    .default(KRAKEN_URL)
    .env(ENV.url);
}

export function depthOption(note = ""): Option {
  return new Option("--depth <n>", `book depth: 10, 25, 100, 500 or 1000 (default: ${DEFAULT_DEPTH}${note})`)
    .argParser(parseDepth)
    .env(ENV.depth);
}

export function fpsOption(): Option {
  return new Option(
    "--fps <n>",
    `most book updates per second, 1 to ${MAX_FPS}: screen frames; NDJSON lines and SSE events per symbol`,
  )
    .argParser(parseFps)
    .default(30)
    .env(ENV.fps);
}

/** A duration flag in seconds, held in milliseconds, with its default shown in seconds. */
function seconds(
  flags: string,
  description: string,
  parse: (v: string) => number,
  ms: number,
  shown: string,
): Option {
  return new Option(flags, description).argParser(parse).default(ms, shown);
}

/** Every command: no process.exit from commander, one error line plus the usage line. */
function strictUsage(cmd: Command, path: string): void {
  cmd.exitOverride();
  cmd.showHelpAfterError(`Usage: ${path} ${cmd.usage()}\nRun '${path} --help' for details.`);
  for (const sub of cmd.commands) strictUsage(sub, `${path} ${sub.name()}`);
}

/**
 * A subcommand's options go after its name. Commander gives flags before it to the ladder, which does not
 * run (`kraken-ladder --depth 100 serve`): they would do nothing, so they are a usage error. And it reads
 * a command's environment variables before it hands the command line on, so the ladder's
 * (KRAKEN_LADDER_URL, _DEPTH, _FPS, _COLOR) would be checked, and a bad one refused, for `verify` and
 * `simulate`, which never read them, and for `serve` and `config` under the ladder's usage line: when
 * argv names a subcommand first, only that command reads them, those it takes.
 */
function subcommandsFirst(program: Command, argv: readonly string[]): void {
  if (program.commands.some((c) => c.name() === argv[2]))
    for (const option of program.options) delete option.envVar;
  program.hook("preSubcommand", (_root, sub) => {
    const before = argv.slice(2, argv.indexOf(sub.name(), 2));
    if (before.length === 0) return;
    const flag = before[0]!.split("=")[0]!;
    const takes = sub.options.some((o) => o.long === flag || o.short === flag);
    const path = `kraken-ladder ${sub.name()}`;
    sub.error(
      `error: ${before.join(" ")} comes before '${sub.name()}', so it is the ladder's and would do nothing: ` +
        (takes
          ? `give it after the command (${path} ${before.join(" ")} …)`
          : `see ${path} --help for its options`),
      { exitCode: EXIT.USAGE, code: "commander.unknownOption" },
    );
  });
}

/** Parses argv and runs the chosen command; resolves to the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  subcommandsFirst(program, argv);
  try {
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    throw e;
  }
  return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
}
