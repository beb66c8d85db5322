import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import type { CliResult } from "../helpers/run-cli.js";

/** The config file, `kraken-ladder config` and the usage errors around them, through the installed binary. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-config-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The environment of a run: this one's without any KRAKEN_LADDER_ variable, plus `extra`. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("KRAKEN_LADDER_")),
  );
  return { ...clean, NO_COLOR: "", LANG: "C.UTF-8", ...extra };
}

/** A usage error of ours: exit 2, nothing on stdout, one `kraken-ladder:` line on stderr and no stack. */
function expectOneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe.concurrent("kraken-ladder config", () => {
  it("prints each setting with where it came from: flag, environment, file, default", async () => {
    const path = await file(
      "settings.toml",
      '# mine\nsymbols = ["eth/usd", "SOL/USD"]\ndepth = 100\n[grouping]\n"ETH/USD" = 5\n',
    );
    const r = await runCli(["config", "--fps", "5"], {
      env: env({ KRAKEN_LADDER_CONFIG: path, KRAKEN_LADDER_URL: "ws://127.0.0.1:9" }),
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`config file  ${path} (KRAKEN_LADDER_CONFIG)`);
    const row = (key: string): string => lines.find((l) => l.startsWith(key + " ")) ?? "";
    expect(row("symbols")).toMatch(new RegExp(`^symbols +ETH/USD SOL/USD +file ${path}$`));
    expect(row("depth")).toMatch(new RegExp(`^depth +100 +file ${path}$`));
    expect(row("fps")).toMatch(/^fps +5 +flag --fps$/);
    expect(row("url")).toMatch(/^url +ws:\/\/127\.0\.0\.1:9 +env KRAKEN_LADDER_URL$/);
    expect(row("grouping")).toMatch(new RegExp(`^grouping +ETH/USD=5 +file ${path}$`));
    expect(row("color")).toMatch(/^color +auto +default$/);
    expect(row("ascii")).toMatch(/^ascii +off +default \(auto: LANG=C\.UTF-8\)$/);
    // An `auto` given by the environment or the file says what it was decided from too.
    const fromEnv = await runCli(["config"], { env: env({ KRAKEN_LADDER_ASCII: "auto" }) });
    expect(fromEnv.stdout).toMatch(/^ascii +off +env KRAKEN_LADDER_ASCII \(auto: LANG=C\.UTF-8\)$/m);
    const auto = await file("auto.toml", 'ascii = "auto"\n');
    const fromFile = await runCli(["config"], { env: env({ KRAKEN_LADDER_CONFIG: auto }) });
    expect(fromFile.stdout).toMatch(new RegExp(`^ascii +off +file ${auto} \\(auto: LANG=C\\.UTF-8\\)$`, "m"));
  });

  it("refuses an fps above 1000 from the flag, the environment and the file alike, naming the range", async () => {
    const flag = await runCli(["config", "--fps", "1000000000"], { env: env() });
    expect(flag.code).toBe(2);
    expect(flag.stderr.split("\n")[0]).toBe(
      "error: option '--fps <n>' argument '1000000000' is invalid. expected a whole number from 1 to 1000.",
    );
    const fromEnv = await runCli(["config"], { env: env({ KRAKEN_LADDER_FPS: "1001" }) });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr.split("\n")[0]).toBe(
      "error: option '--fps <n>' value '1001' from env 'KRAKEN_LADDER_FPS' is invalid. expected a whole number from 1 to 1000.",
    );
    const big = await file("fps.toml", "fps = 1000000000\n");
    expectOneLineError(
      await runCli(["config"], { env: env({ KRAKEN_LADDER_CONFIG: big }) }),
      new RegExp(`^kraken-ladder: config file ${big}, line 1: fps must be a whole number from 1 to 1000$`),
    );
    const top = await runCli(["config", "--fps", "1000"], { env: env() });
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^fps +1000 +flag --fps$/m);
  });

  it("with no config file: the default place, not found, and every default", async () => {
    const home = join(dir, "empty-home");
    const r = await runCli(["config"], { env: env({ XDG_CONFIG_HOME: home }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `config file  ${join(home, "kraken-ladder", "config.toml")} (default place, not found)`,
    );
    expect(r.stdout).toMatch(/^symbols +BTC\/USD +default$/m);
    expect(r.stdout).toMatch(/^depth +25 +default$/m);
  });

  it("checks typed symbols as the ladder does: a bad one is the same usage error, a legacy name is shown as used", async () => {
    const home = join(dir, "empty-home");
    const bad = await runCli(["config", "btc-usd"], { env: env({ XDG_CONFIG_HOME: home }) });
    const ladder = await runCli(["btc-usd"], { env: env({ XDG_CONFIG_HOME: home }) });
    expectOneLineError(bad, /^kraken-ladder: bad symbol "btc-usd": .*did you mean BTC\/USD\?$/);
    expect(bad.stderr).toBe(ladder.stderr);
    const legacy = await runCli(["config", "xbt/usd", "eth/usd"], { env: env({ XDG_CONFIG_HOME: home }) });
    expect(legacy.code).toBe(0);
    expect(legacy.stdout).toMatch(/^symbols +BTC\/USD ETH\/USD +flag arguments$/m);
    expect(legacy.stderr).toBe("kraken-ladder: xbt/usd is a legacy name; using BTC/USD.\n");
  });

  it("a broken file is one line naming the file and the line, exit 2, for the ladder and for config", async () => {
    const bad = await file("bad.toml", 'symbols = ["BTC/USD"]\ndepth = = 25\n');
    for (const args of [["config"], ["--json", "--duration", "1"], ["serve", "--port", "0"]]) {
      expectOneLineError(
        await runCli(args, { env: env({ KRAKEN_LADDER_CONFIG: bad }) }),
        new RegExp(`^kraken-ladder: config file ${bad}, line 2, column \\d+: not valid TOML: `),
      );
    }
    const unknown = await file("unknown.toml", 'fps = 10\nsymbol = ["BTC/USD"]\n');
    expectOneLineError(
      await runCli(["config"], { env: env({ KRAKEN_LADDER_CONFIG: unknown }) }),
      new RegExp(
        `^kraken-ladder: config file ${unknown}, line 2: unknown key "symbol" \\(did you mean "symbols"\\?\\)`,
      ),
    );
    const wrongType = await file("type.toml", 'fps = "fast"\n');
    expectOneLineError(
      await runCli(["config", "--config", wrongType], {
        env: env(),
      }),
      new RegExp(
        `^kraken-ladder: config file ${wrongType}, line 1: fps must be a whole number from 1 to 1000$`,
      ),
    );
    const badSymbol = await file("symbol.toml", 'symbols = [\n  "BTC/USD",\n  "BTCUSD",\n]\n');
    expectOneLineError(
      await runCli(["--json", "--duration", "1"], { env: env({ KRAKEN_LADDER_CONFIG: badSymbol }) }),
      new RegExp(`^kraken-ladder: config file ${badSymbol}, line 3: bad symbol "BTCUSD"`),
    );
    expectOneLineError(
      await runCli(["config", "--config", join(dir, "nope.toml")], { env: env() }),
      /^kraken-ladder: config file .*nope\.toml: cannot be read: ENOENT: no such file or directory$/,
    );
    expectOneLineError(
      await runCli(["config", "--config", dir], { env: env() }),
      /^kraken-ladder: config file .*: cannot be read: EISDIR: illegal operation on a directory$/,
    );
  });

  it("the ladder runs on the file's symbols and depth, and a flag still wins", async () => {
    const path = await file("run.toml", 'symbols = ["ETH/USD"]\ndepth = 10\nurl = "ws://127.0.0.1:1"\n');
    const r = await runCli(["--demo", "--json", "--duration", "1.5"], {
      env: env({ KRAKEN_LADDER_CONFIG: path }),
    });
    expect(r.code).toBe(0);
    const books = r.stdout
      .split("\n")
      .filter((l) => l.includes('"type":"book"'))
      .map((l) => JSON.parse(l) as { symbol: string });
    expect(new Set(books.map((b) => b.symbol))).toEqual(new Set(["ETH/USD"]));
    const typed = await runCli(["--demo", "--json", "--duration", "1.5", "SOL/USD"], {
      env: env({ KRAKEN_LADDER_CONFIG: path }),
    });
    expect(typed.stdout).toContain('"symbol":"SOL/USD"');
    expect(typed.stdout).not.toContain('"symbol":"ETH/USD"');
  });
});

describe.concurrent("usage errors", () => {
  it("a mistyped command gets 'did you mean', exit 2, instead of a bad symbol", async () => {
    for (const [typed, meant] of [
      ["verfy", "verify"],
      ["serv", "serve"],
      ["simulat", "simulate"],
      ["confg", "config"],
    ] as const) {
      const r = await runCli([typed], { env: env() });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toBe(`error: unknown command '${typed}' (did you mean ${meant}?)`);
      expect(r.stderr).not.toContain("bad symbol");
    }
    const help = await runCli(["hepl"], { env: env() });
    expect(help.stderr.split("\n")[0]).toBe("error: unknown command 'hepl' (did you mean help?)");
    // A word close to no command is still a bad symbol.
    const r = await runCli(["--json", "BTCUSD"], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad symbol "BTCUSD"/);
  });

  it("--url with --demo or --replay is a usage error; a URL from the environment gives way to --demo", async () => {
    for (const args of [
      ["--demo", "--url", "ws://127.0.0.1:1"],
      ["--url", "ws://127.0.0.1:1", "--replay", "x.jsonl"],
      ["serve", "--demo", "--url", "ws://127.0.0.1:1"],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toMatch(
        /^error: --url cannot be used with --(demo|replay): that runs the built-in server$/,
      );
    }
    // A flag of the demo market or of a replay where there is none would do nothing: said, exit 2.
    const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
    for (const [args, message] of [
      [["--demo", "--speed", "2"], "--speed is the pace of a --replay; it does nothing for the demo market"],
      [
        ["--url", "ws://127.0.0.1:1", "--speed", "max"],
        "--speed is the pace of a --replay; it does nothing against the exchange (--url)",
      ],
      [
        ["--replay", capture, "--seed", "3"],
        "--seed is for the demo market (--demo); it does nothing with --replay",
      ],
      [
        ["--rate", "5"],
        "--rate is for the demo market (--demo); it does nothing against the exchange (--url)",
      ],
      [
        ["--pairs", "5"],
        "--pairs is for the demo market (--demo); it does nothing against the exchange (--url)",
      ],
      [
        ["serve", "--rate", "5"],
        "--rate is for the demo market (--demo); it does nothing against the exchange (--url)",
      ],
      [
        ["simulate", "--replay", capture, "--rate", "3"],
        "--rate is for the demo market; it does nothing with --replay",
      ],
      [
        ["simulate", "--speed", "3"],
        "--speed is the pace of a --replay; it does nothing for the demo market",
      ],
      [
        ["--replay", capture, "--depth", "100", "--json-levels", "50"],
        "--depth does nothing with --replay: its books are served at the recording's depth",
      ],
      [
        ["serve", "--replay", capture, "--depth", "25"],
        "--depth does nothing with --replay: its books are served at the recording's depth",
      ],
    ] as const) {
      const r = await runCli([...args], { env: env() });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.split("\n")[0], args.join(" ")).toBe(`error: ${message}`);
    }
    // Where they apply, they run.
    for (const args of [
      ["--demo", "--json", "--duration", "0.3", "--seed", "4", "--rate", "3", "--pairs", "2"],
      ["--replay", capture, "--json", "--duration", "0.3", "--speed", "max"],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code, args.join(" ")).toBe(0);
    }
    // A read timeout no quiet, healthy connection outlasts (heartbeats every 1 s, pings every
    // --ping-interval) would reconnect again and again: said before anything starts, for the ladder and serve.
    for (const args of [
      ["--demo", "--read-timeout", "0.5"],
      ["serve", "--demo", "--read-timeout", "1"],
      ["--demo", "--read-timeout", "0.2", "--ping-interval", "0.2"],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.split("\n")[0]).toMatch(
        /^error: --read-timeout [\d.]+ would drop a quiet, healthy connection again and again: Kraken sends a heartbeat every 1 s, and a ping \(answered by a pong\) goes every --ping-interval \([\d.]+ s\)\. Give a --read-timeout above [\d.]+ s, or a shorter --ping-interval\.$/,
      );
    }
    // Above the heartbeat, or above a shorter ping interval, it runs.
    for (const args of [
      ["--demo", "--json", "--duration", "0.3", "--read-timeout", "1.5"],
      ["--demo", "--json", "--duration", "0.3", "--read-timeout", "0.5", "--ping-interval", "0.2"],
    ]) {
      const r = await runCli(args, { env: env() });
      expect(r.stderr).not.toContain("--read-timeout");
      expect(r.code).toBe(0);
    }
    const both = await runCli(["--demo", "--replay", "x.jsonl"], { env: env() });
    expect(both.code).toBe(2);
    expect(both.stderr.split("\n")[0]).toBe("error: --demo and --replay cannot be used together");
    const r = await runCli(["--demo", "--json", "--duration", "3"], {
      env: env({ KRAKEN_LADDER_URL: "ws://127.0.0.1:1" }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"state":"live"');
  });

  it("the ladder's flags before a subcommand's name would do nothing: exit 2 under the subcommand's usage", async () => {
    for (const [args, command, message] of [
      [
        ["--depth", "100", "serve", "--demo"],
        "serve",
        "--depth 100 comes before 'serve', so it is the ladder's and would do nothing: give it after the command (kraken-ladder serve --depth 100 …)",
      ],
      [
        ["--json", "verify", "x.jsonl"],
        "verify",
        "--json comes before 'verify', so it is the ladder's and would do nothing: give it after the command (kraken-ladder verify --json …)",
      ],
      [
        ["--fps=5", "--json", "simulate"],
        "simulate",
        "--fps=5 --json comes before 'simulate', so it is the ladder's and would do nothing: see kraken-ladder simulate --help for its options",
      ],
    ] as const) {
      const r = await runCli([...args], { env: env() });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      const lines = r.stderr.split("\n");
      expect(lines[0]).toBe(`error: ${message}`);
      expect(lines[1]).toMatch(new RegExp(`^Usage: kraken-ladder ${command} `));
    }
  });

  it("the ladder's environment variables are read by the commands that take them, not by verify or simulate", async () => {
    const bad = env({ KRAKEN_LADDER_FPS: "abc", KRAKEN_LADDER_URL: "http://x", KRAKEN_LADDER_DEPTH: "7" });
    const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
    const verified = await runCli(["verify", capture], { env: bad });
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    const simulated = await runCli(["simulate", "--port", "0"], { env: bad, timeoutMs: 3_000 });
    expect(simulated.stdout).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\n/);
    expect(simulated.stderr).not.toMatch(/KRAKEN_LADDER|error/);
    // serve and config read them, and say so under their own usage line.
    for (const command of ["serve", "config"]) {
      const r = await runCli([command], { env: env({ KRAKEN_LADDER_FPS: "abc" }) });
      expect(r.code).toBe(2);
      expect(r.stderr.split("\n").slice(0, 2)).toEqual([
        "error: option '--fps <n>' value 'abc' from env 'KRAKEN_LADDER_FPS' is invalid. expected a whole number from 1 to 1000.",
        expect.stringMatching(new RegExp(`^Usage: kraken-ladder ${command} `)),
      ]);
    }
  });

  it("a bad value in an environment variable is a usage error naming it", async () => {
    const depth = await runCli(["config"], { env: env({ KRAKEN_LADDER_DEPTH: "7" }) });
    expect(depth.code).toBe(2);
    expect(depth.stderr).toMatch(/KRAKEN_LADDER_DEPTH/);
    expectOneLineError(
      await runCli(["config"], { env: env({ KRAKEN_LADDER_SYMBOLS: "BTC/USD,nope" }) }),
      /^kraken-ladder: KRAKEN_LADDER_SYMBOLS: bad symbol "nope"/,
    );
    expectOneLineError(
      await runCli(["config"], { env: env({ KRAKEN_LADDER_ASCII: "maybe" }) }),
      /^kraken-ladder: KRAKEN_LADDER_ASCII: expected 1, true, yes or on; 0, false, no or off; or auto, not "maybe"$/,
    );
  });

  it("--replay with a pair the recording does not hold exits 2, naming it and those it holds", async () => {
    const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
    const said = new RegExp(
      `^kraken-ladder: cannot replay ${capture}: it holds no ETH/USD \\(it holds BTC/USD\\)$`,
    );
    expectOneLineError(
      await runCli(["--replay", capture, "--json", "eth/usd", "BTC/USD"], { env: env() }),
      said,
    );
    expectOneLineError(
      await runCli(["serve", "--replay", capture, "--port", "0", "ETH/USD"], { env: env() }),
      said,
    );
    // The pair it holds, typed, as any case of max: the replay runs to its end.
    const run = await runCli(["--replay", capture, "--speed", "MAX", "--json", "btc/usd"], { env: env() });
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe('{"type":"connection","state":"stopped"}');
  });

  it("--replay of a file with no book data exits 2 with a message before starting: the ladder, serve, simulate", async () => {
    const empty = await file("empty.jsonl", "");
    expectOneLineError(
      await runCli(["--replay", empty], { env: env() }),
      new RegExp(`^kraken-ladder: cannot replay ${empty}: no book data \\(the file is empty\\)$`),
    );
    const garbage = await file("garbage.jsonl", 'hello\n{"channel":"heartbeat"}\n\u0000\u0001binary\n');
    expectOneLineError(
      await runCli(["--replay", garbage, "--json"], { env: env() }),
      new RegExp(
        `^kraken-ladder: cannot replay ${garbage}: no book data \\(none of its 3 lines is a book snapshot\\)$`,
      ),
    );
    expectOneLineError(
      await runCli(["serve", "--replay", garbage, "--port", "0"], { env: env() }),
      new RegExp(`^kraken-ladder: cannot replay ${garbage}: no book data \\(none of its 3 lines`),
    );
    // The server alone, which a ladder elsewhere would wait on, "syncing", for ever.
    expectOneLineError(
      await runCli(["simulate", "--replay", garbage, "--port", "0"], { env: env() }),
      new RegExp(
        `^kraken-ladder simulate: cannot serve ${garbage}: no book data \\(none of its 3 lines is a book snapshot\\)$`,
      ),
    );
  });
});
