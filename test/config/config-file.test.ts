import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfigText, readConfigFile } from "../../src/config/config-file.js";
import { localeIsUtf8 } from "../../src/config/locale.js";
import { configLocation, defaultConfigPath } from "../../src/config/paths.js";
import { saveWatchlist, withWatchlist } from "../../src/config/save-watchlist.js";
import { configErrorText } from "../../src/config/settings-types.js";
import type { ConfigError } from "../../src/config/settings-types.js";
import { didYouMean } from "../../src/text/did-you-mean.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kraken-ladder-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorOf(text: string): ConfigError {
  const result = parseConfigText(text, "/home/u/config.toml");
  if (result.kind !== "config-error") throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result;
}

describe("the config file", () => {
  it("reads every key: symbols normalised, depth, fps, url, grouping per symbol, color, ascii", () => {
    const result = parseConfigText(
      [
        "# my watchlist",
        'symbols = ["eth/usd", "XBT/USD", "ETH/USD"]',
        "depth = 100",
        "fps = 10",
        'url = "ws://127.0.0.1:9000"',
        'color = "never"',
        "ascii = true",
        "",
        "[grouping]",
        '"BTC/USD" = 10',
        '"eth/usd" = 5',
      ].join("\n"),
      "c.toml",
    );
    expect(result).toEqual({
      kind: "read",
      settings: {
        symbols: ["ETH/USD", "BTC/USD"],
        depth: 100,
        fps: 10,
        url: "ws://127.0.0.1:9000",
        color: "never",
        ascii: true,
        grouping: new Map([
          ["BTC/USD", 10],
          ["ETH/USD", 5],
        ]),
      },
    });
  });

  it("an empty file sets nothing; a missing file is absent unless it was named explicitly", async () => {
    expect(parseConfigText("", "c.toml")).toEqual({ kind: "read", settings: {} });
    const missing = join(dir, "missing.toml");
    expect(await readConfigFile(missing, false)).toEqual({ kind: "absent" });
    expect(await readConfigFile(missing, true)).toEqual({
      kind: "config-error",
      path: missing,
      message: "cannot be read: ENOENT: no such file or directory",
    });
  });

  it("bad TOML is one error with the parser's line and column", () => {
    const e = errorOf('symbols = ["BTC/USD"]\ndepth = = 25\n');
    expect(e.line).toBe(2);
    expect(e.column).toBeGreaterThan(0);
    expect(configErrorText(e)).toMatch(
      /^config file \/home\/u\/config\.toml, line 2, column \d+: not valid TOML: /,
    );
    expect(configErrorText(e)).not.toContain("\n");
  });

  it("an unknown key names its line and suggests the key meant", () => {
    const e = errorOf('symbols = ["BTC/USD"]\n\ndpeth = 100\n');
    expect(configErrorText(e)).toBe(
      'config file /home/u/config.toml, line 3: unknown key "dpeth" (did you mean "depth"?); the keys are symbols, depth, fps, url, grouping, color, ascii',
    );
  });

  it("a value of the wrong type names the key's line", () => {
    expect(errorOf('\n\ndepth = "25"').line).toBe(3);
    expect(errorOf("depth = 7").message).toBe("depth must be one of 10, 25, 100, 500, 1000");
    expect(errorOf("fps = 0").message).toBe("fps must be a whole number from 1 to 1000");
    expect(errorOf("fps = 2.5").message).toBe("fps must be a whole number from 1 to 1000");
    expect(errorOf('url = "http://x"').message).toMatch(/^url must be a ws:\/\/ or wss:\/\/ URL/);
    expect(errorOf('color = "yes"').message).toBe('color must be "auto", "always" or "never"');
    expect(errorOf('ascii = "no"').message).toBe('ascii must be true, false or "auto"');
    expect(errorOf('symbols = "BTC/USD"').message).toMatch(/^symbols must be a list of pairs/);
    expect(errorOf("symbols = []").message).toMatch(/^symbols must be a list of pairs/);
  });

  it("fps is at most 1000 (a view a millisecond), as --fps is", () => {
    expect(parseConfigText("fps = 1000", "/c.toml")).toEqual({ kind: "read", settings: { fps: 1000 } });
    for (const fps of ["1001", "1000000000", "1e9"]) {
      const e = errorOf(`\nfps = ${fps}`);
      expect(e.message, fps).toBe("fps must be a whole number from 1 to 1000");
      expect(e.line, fps).toBe(2);
    }
  });

  it("a number written in quotes is told to lose them", () => {
    expect(errorOf('depth = "10"').message).toBe(
      'depth must be one of 10, 25, 100, 500, 1000 (without quotes: a quoted "10" is text)',
    );
    expect(errorOf('fps = "5"').message).toBe(
      'fps must be a whole number from 1 to 1000 (without quotes: a quoted "5" is text)',
    );
    expect(errorOf('[grouping]\n"BTC/USD" = "10"').message).toBe(
      'grouping for BTC/USD must be one of 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000 ticks (without quotes: a quoted "10" is text)',
    );
    expect(errorOf('depth = "deep"').message).toBe("depth must be one of 10, 25, 100, 500, 1000");
  });

  it("a bad symbol names the line it is written on, inside a list over several lines", () => {
    const e = errorOf('depth = 25\nsymbols = [\n  "BTC/USD",\n  "DOGE",\n]\n');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^bad symbol "DOGE": expected BASE\/QUOTE/);
  });

  it("grouping must be a table of pairs and grouping steps, each error on its line", () => {
    const e = errorOf('[grouping]\n"BTC/USD" = 10\n"ETH/USD" = 3\n');
    expect(e.line).toBe(3);
    expect(e.message).toBe(
      "grouping for ETH/USD must be one of 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000 ticks",
    );
    expect(errorOf('[grouping]\n"BTCUSD" = 10\n').line).toBe(2);
    expect(errorOf("grouping = 10").message).toMatch(/^grouping must be a table/);
    expect(errorOf('grouping = { "BTC/USD" = 3 }').line).toBe(1);
  });

  it("two grouping keys naming one pair (XBT/USD is BTC/USD) are an error on the second, not a silent choice", () => {
    const e = errorOf('[grouping]\n"XBT/USD" = 10\n"ETH/USD" = 2\n"btc/usd" = 20\n');
    expect(e.line).toBe(4);
    expect(e.message).toBe('grouping: "XBT/USD" and "btc/usd" both name BTC/USD: give it once');
  });
});

describe("where the config file is", () => {
  it("$XDG_CONFIG_HOME/kraken-ladder/config.toml, else the platform's usual place", () => {
    expect(defaultConfigPath({ XDG_CONFIG_HOME: "/x/cfg" }, "linux", "/home/u")).toBe(
      "/x/cfg/kraken-ladder/config.toml",
    );
    expect(defaultConfigPath({}, "linux", "/home/u")).toBe("/home/u/.config/kraken-ladder/config.toml");
    // A relative XDG_CONFIG_HOME is to be ignored (XDG Base Directory spec).
    expect(defaultConfigPath({ XDG_CONFIG_HOME: "cfg" }, "linux", "/home/u")).toBe(
      "/home/u/.config/kraken-ladder/config.toml",
    );
    expect(defaultConfigPath({}, "darwin", "/Users/u")).toBe(
      "/Users/u/Library/Application Support/kraken-ladder/config.toml",
    );
    expect(defaultConfigPath({ APPDATA: "/appdata" }, "win32", "/home/u")).toBe(
      join("/appdata", "kraken-ladder", "config.toml"),
    );
  });

  it("--config wins over KRAKEN_LADDER_CONFIG, which wins over the default place; both are explicit", () => {
    const env = { KRAKEN_LADDER_CONFIG: "/env.toml" };
    expect(configLocation("/flag.toml", env, "linux", "/h")).toEqual({
      path: "/flag.toml",
      explicit: true,
      source: "flag",
    });
    expect(configLocation(undefined, env, "linux", "/h")).toEqual({
      path: "/env.toml",
      explicit: true,
      source: "env",
    });
    expect(configLocation(undefined, {}, "linux", "/h")).toEqual({
      path: "/h/.config/kraken-ladder/config.toml",
      explicit: false,
      source: "default",
    });
  });
});

describe("the locale", () => {
  it("is UTF-8 by the first of LC_ALL, LC_CTYPE, LANG that is set; none set is the C locale", () => {
    expect(localeIsUtf8({ LANG: "en_US.UTF-8" }, "linux")).toBe(true);
    expect(localeIsUtf8({ LANG: "C.utf8" }, "linux")).toBe(true);
    expect(localeIsUtf8({ LC_ALL: "C", LANG: "en_US.UTF-8" }, "linux")).toBe(false);
    expect(localeIsUtf8({ LC_ALL: "", LC_CTYPE: "de_DE.UTF-8", LANG: "C" }, "linux")).toBe(true);
    expect(localeIsUtf8({ LANG: "en_US.ISO-8859-1" }, "darwin")).toBe(false);
    expect(localeIsUtf8({}, "linux")).toBe(false);
    expect(localeIsUtf8({}, "win32")).toBe(true);
  });
});

describe("did you mean", () => {
  it("suggests a command for a word one or two edits away, or a prefix, and nothing for a far word", () => {
    const commands = ["verify", "simulate", "serve", "config"];
    expect(didYouMean("verfy", commands)).toBe("verify");
    expect(didYouMean("serv", commands)).toBe("serve");
    expect(didYouMean("simulat", commands)).toBe("simulate");
    expect(didYouMean("simualte", commands)).toBe("simulate");
    expect(didYouMean("VERIFY", commands)).toBe("verify");
    expect(didYouMean("BTC", commands)).toBeUndefined();
    expect(didYouMean("ETHUSD", commands)).toBeUndefined();
  });
});

describe("saveWatchlist", () => {
  it("replaces the symbols list and keeps every other key, comment and line", async () => {
    const path = join(dir, "keep.toml");
    const before = [
      "# my settings",
      "depth = 100 # deep",
      "symbols = [",
      '  "BTC/USD", # the first',
      '  "ETH/USD",',
      "] # end",
      "",
      "[grouping]",
      '"BTC/USD" = 10',
      "",
    ].join("\n");
    await writeFile(path, before);
    expect(await saveWatchlist(["SOL/USD", "xbt/usd"], path)).toEqual({ kind: "saved", path });
    expect(await readFile(path, "utf8")).toBe(
      [
        "# my settings",
        "depth = 100 # deep",
        "symbols = [",
        '  "SOL/USD",',
        '  "BTC/USD", # the first',
        "] # end",
        "",
        "[grouping]",
        '"BTC/USD" = 10',
        "",
      ].join("\n"),
    );
    const read = await readConfigFile(path, true);
    expect(read.kind === "read" && read.settings.symbols).toEqual(["SOL/USD", "BTC/USD"]);
    // On one line it stays on one line.
    expect(withWatchlist('symbols = ["BTC/USD"] # mine\n', ["ETH/USD", "BTC/USD"])).toBe(
      'symbols = ["ETH/USD", "BTC/USD"] # mine\n',
    );
  });

  it("keeps every comment of a list written over several lines: after its entry, or on a line of its own", () => {
    const before = [
      "symbols = [ # what I watch",
      '    "BTC/USD",   # the first',
      "    # alts:",
      "    'ETH/USD', # second",
      '    # "DOGE/USD", parked',
      '    "SOL/USD",',
      "    # the end of the list",
      "]",
      "",
    ].join("\n");
    // ETH/USD goes (its own-line comment stays, before the end), XRP/USD comes, the order is the new one's.
    expect(withWatchlist(before, ["SOL/USD", "BTC/USD", "XRP/USD"])).toBe(
      [
        "symbols = [",
        '    # "DOGE/USD", parked',
        '    "SOL/USD",',
        "    # what I watch",
        '    "BTC/USD", # the first',
        '    "XRP/USD",',
        "    # alts:",
        "    # the end of the list",
        "]",
        "",
      ].join("\n"),
    );
    // Anything but strings and comments in it (not a list this app writes): written on one line.
    expect(withWatchlist('symbols = [\n  "BTC/USD",\n  ["x"],\n]\n', ["ETH/USD"])).toBe(
      'symbols = ["ETH/USD"]\n',
    );
  });

  it("adds the list before the first table when the file had none, and creates a missing file and folder", async () => {
    expect(withWatchlist('fps = 5\n\n[grouping]\n"BTC/USD" = 2\n', ["ETH/USD"])).toBe(
      'fps = 5\n\nsymbols = ["ETH/USD"]\n\n[grouping]\n"BTC/USD" = 2\n',
    );
    expect(withWatchlist("fps = 5", ["ETH/USD"])).toBe('fps = 5\nsymbols = ["ETH/USD"]\n');
    const path = join(dir, "new", "folder", "config.toml");
    expect(await saveWatchlist(["ETH/USD", "SOL/USD"], path)).toEqual({ kind: "saved", path });
    expect(await readFile(path, "utf8")).toBe('symbols = ["ETH/USD", "SOL/USD"]\n');
  });

  it("writes through a symbolic link (a dotfiles repository), keeping the link and the file's permissions", async () => {
    const real = join(dir, "dotfiles-config.toml");
    await writeFile(real, "# mine\ndepth = 10\n", { mode: 0o600 });
    await chmod(real, 0o600);
    const link = join(dir, "linked.toml");
    await symlink(real, link);
    expect(await saveWatchlist(["ETH/USD"], link)).toEqual({ kind: "saved", path: link });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, "utf8")).toBe('# mine\ndepth = 10\nsymbols = ["ETH/USD"]\n');
    expect((await stat(real)).mode & 0o777).toBe(0o600);
  });

  it("leaves a broken file alone and says why; refuses a bad symbol", async () => {
    const path = join(dir, "broken.toml");
    await writeFile(path, "depth = = 1\n");
    const result = await saveWatchlist(["ETH/USD"], path);
    expect(result).toMatchObject({ kind: "config-error", path, line: 1 });
    expect(await readFile(path, "utf8")).toBe("depth = = 1\n");
    expect(await saveWatchlist(["ETHUSD"], join(dir, "never.toml"))).toMatchObject({
      kind: "config-error",
      message: expect.stringMatching(/^bad symbol "ETHUSD"/) as unknown,
    });
    expect(await readConfigFile(join(dir, "never.toml"), false)).toEqual({ kind: "absent" });
  });

  it("a write that fails part-way (a full disk) leaves the file as it was and nothing beside it", async () => {
    const folder = await mkdtemp(join(dir, "full-"));
    const path = join(folder, "config.toml");
    await writeFile(path, 'symbols = ["BTC/USD"]\n');
    // The save's temporary file, made to land on /dev/full: the write fails with ENOSPC, as on a full disk.
    await symlink("/dev/full", `${path}.${process.pid}.tmp`);
    expect(await saveWatchlist(["ETH/USD"], path)).toMatchObject({
      kind: "config-error",
      path,
      message: expect.stringMatching(/^cannot be written: ENOSPC/) as unknown,
    });
    expect(await readFile(path, "utf8")).toBe('symbols = ["BTC/USD"]\n');
    expect(await readdir(folder)).toEqual(["config.toml"]);
  });

  it("keeps dotted keys and inline tables as written, and symbols written with a quoted key", () => {
    expect(
      withWatchlist('fps = 7\ngrouping = { "BTC/USD" = 5 }\n"symbols" = ["BTC/USD"]\n', ["ETH/USD"]),
    ).toBe('fps = 7\ngrouping = { "BTC/USD" = 5 }\nsymbols = ["ETH/USD"]\n');
    expect(withWatchlist('grouping."BTC/USD" = 5\n', ["ETH/USD"])).toBe(
      'grouping."BTC/USD" = 5\nsymbols = ["ETH/USD"]\n',
    );
  });
});
