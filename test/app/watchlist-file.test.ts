import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configPath, readWatchlist, saveWatchlist } from "../../src/app/watchlist-file.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the saved watchlist (stand-in for the config module)", () => {
  it("is written under XDG_CONFIG_HOME and read back", async () => {
    dir = mkdtempSync(join(tmpdir(), "watchlist-"));
    const env = { XDG_CONFIG_HOME: dir };
    expect(readWatchlist(env)).toBeUndefined();
    const path = await saveWatchlist(["BTC/USD", "ETH/EUR"], env);
    expect(path).toBe(join(dir, "kraken-ladder", "config.toml"));
    expect(configPath(env)).toBe(path);
    expect(readFileSync(path, "utf8")).toBe('symbols = ["BTC/USD", "ETH/EUR"]\n');
    expect(readWatchlist(env)).toEqual(["BTC/USD", "ETH/EUR"]);
  });

  it("replaces the top-level symbols line and keeps every other line of the file", async () => {
    dir = mkdtempSync(join(tmpdir(), "watchlist-"));
    const env = { XDG_CONFIG_HOME: dir };
    mkdirSync(join(dir, "kraken-ladder"));
    const before = '# mine\ndepth = 100\nsymbols = ["XRP/USD"]\n\n[groups]\n"BTC/USD" = 10\n';
    writeFileSync(configPath(env), before);
    await saveWatchlist(["SOL/USD"], env);
    expect(readFileSync(configPath(env), "utf8")).toBe(before.replace('["XRP/USD"]', '["SOL/USD"]'));
    writeFileSync(configPath(env), "depth = 100\n[groups]\n");
    await saveWatchlist(["SOL/USD"], env);
    expect(readFileSync(configPath(env), "utf8")).toBe('depth = 100\nsymbols = ["SOL/USD"]\n[groups]\n');
    await expect(saveWatchlist(['BAD"/USD'], env)).rejects.toThrow(/not a symbol name/);
  });
});
