import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, inject, it } from "vitest";
import type { BookEvent, BookFeedEvent } from "../../src/events/types.js";
import { ScriptedServer } from "../feed/support/scripted-server.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The project the global setup installed the packed tarball into (…/app/node_modules/.bin/kraken-ladder). */
const APP = join(inject("installedBin"), "..", "..", "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** What a user's script does: watch, abort on the first live book, print what it saw. */
const WATCH = `const controller = new AbortController();
const events = [];
const options = { url: process.argv[2], symbols: ["BTC/USD"], depth: 10, levels: 2, signal: controller.signal };
for await (const event of watchBooks(options)) {
  events.push(event);
  if (event.type === "book" && event.state === "live") controller.abort();
}
process.stdout.write(JSON.stringify(events));
`;
/** As an ES module imports the package by name. */
const SCRIPT = `import { watchBooks } from "kraken-ladder";\n${WATCH}`;
/** As CommonJS does: `require`, and `for await` inside an async function. */
const REQUIRE_SCRIPT = `const { watchBooks } = require("kraken-ladder");\n(async () => {\n${WATCH}})();\n`;

/** Uses the API as documented: it must type-check. */
const GOOD = `import { openBooks, SymbolError, watchBooks } from "kraken-ladder";
import type { BookEvent, BookFeedEvent, Books, TickerEvent, TradeEvent, WatchOptions } from "kraken-ladder";

const options: WatchOptions = { symbols: ["BTC/USD"], depth: 10, levels: 5, signal: new AbortController().signal };
export async function touch(): Promise<string | undefined> {
  for await (const event of watchBooks(options)) {
    switch (event.type) {
      case "book":
        return event.bids?.[0]?.price ?? event.bid?.price;
      case "connection":
        if (event.state === "reconnecting") console.log(event.retryInMs + 1);
        break;
      case "trade":
        return (event satisfies TradeEvent).price + String(event.tradeId);
      case "ticker":
        return (event satisfies TickerEvent).last;
      case "trade-gap":
        console.log(event.got - event.expected);
        break;
      case "resync":
      case "rejected":
      case "error":
        break;
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  }
  return undefined;
}
const books: Books = openBooks({ demo: { seed: 1 } });
export const current: BookEvent | undefined = books.current("BTC/USD");
books.on((event: BookFeedEvent) => console.log(event.type))();
await books.close();
export const isSymbolError = (e: unknown): boolean => e instanceof SymbolError;
`;

/** Two mistakes the types must catch: a price is a string, symbols a list. */
const BAD = `import { watchBooks } from "kraken-ladder";
for await (const event of watchBooks({ symbols: ["BTC/USD"] })) {
  if (event.type === "book" && event.bid !== undefined) console.log((event.bid.price satisfies number) + 1);
}
watchBooks({ symbols: "BTC/USD" });
`;

/** tsc over one file against the installed package, as a user's project with @types/node would. */
async function typeCheck(file: string): Promise<{ code: number; output: string }> {
  const args = [TSC, "--noEmit", "--strict", "--target", "es2023", "--module", "nodenext"];
  args.push("--types", "node", "--typeRoots", join(ROOT, "node_modules", "@types"), file);
  try {
    const { stdout } = await run(process.execPath, args, { cwd: APP });
    return { code: 0, output: stdout };
  } catch (e) {
    const failed = e as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}

let server: ScriptedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("the packed package as a library", () => {
  it("runs a user's ESM script: live books with exact string prices, then an abort and a clean exit", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    writeFileSync(join(APP, "watch-books.mjs"), SCRIPT);
    // The process exits by itself (nothing left running) within the timeout, with code 0.
    const { stdout } = await run(process.execPath, ["watch-books.mjs", server.url], {
      cwd: APP,
      timeout: 15_000,
    });
    const events = JSON.parse(stdout) as BookFeedEvent[];
    const live = events.find((e): e is BookEvent => e.type === "book" && e.state === "live");
    const book = server.book("BTC/USD");
    expect(live).toEqual({
      type: "book",
      symbol: "BTC/USD",
      state: "live",
      bid: book.sorted("bids")[0],
      ask: book.sorted("asks")[0],
      spread: "0.2",
      mid: "63388",
      checksums: { ok: 1, failed: 0 },
      resyncs: 0,
      time: expect.any(String),
      bids: book.sorted("bids").slice(0, 2),
      asks: book.sorted("asks").slice(0, 2),
    });
    expect(live?.bid?.price).toBe("63387.9");
    expect(events).toContainEqual({ type: "connection", state: "stopped" });
    expect(server.closeCodes).toEqual([1000]);
  });

  it("loads with require() from a CommonJS script too (Node's require of an ES module)", async () => {
    server = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    writeFileSync(join(APP, "watch-books.cjs"), REQUIRE_SCRIPT);
    const { stdout, stderr } = await run(process.execPath, ["watch-books.cjs", server.url], {
      cwd: APP,
      timeout: 15_000,
    });
    expect(stderr).toBe("");
    const events = JSON.parse(stdout) as BookFeedEvent[];
    const live = events.find((e): e is BookEvent => e.type === "book" && e.state === "live");
    expect(live?.bid?.price).toBe("63387.9");
    expect(events).toContainEqual({ type: "connection", state: "stopped" });
  });

  // Two tsc runs: slow on a loaded machine.
  it("ships types that check a correct program and reject a wrong one", { timeout: 120_000 }, async () => {
    writeFileSync(join(APP, "good.mts"), GOOD);
    writeFileSync(join(APP, "bad.mts"), BAD);
    const good = await typeCheck("good.mts");
    expect(good.output).toBe("");
    expect(good.code).toBe(0);
    const bad = await typeCheck("bad.mts");
    expect(bad.code).not.toBe(0);
    const errors = bad.output.split("\n").filter((l) => l.includes("error TS"));
    expect(errors).toEqual([
      expect.stringMatching(/^bad\.mts\(3,\d+\): error TS1360: Type 'string' does not satisfy/),
      expect.stringMatching(/^bad\.mts\(5,\d+\): error TS2322: Type 'string' is not assignable/),
    ]);
  });
});
