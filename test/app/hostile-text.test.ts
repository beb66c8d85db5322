import { afterEach, describe, expect, it } from "vitest";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { reap, runBin, until } from "./support/run-bin.js";
import type { Run } from "./support/run-bin.js";

/**
 * Server text through the real worker and the real binary (stdout piped: NDJSON): status frames and
 * unreadable frames carrying ESC sequences, an OSC title, C1 controls and a bidi override. Neither stream
 * may carry any of them raw, and notices are rate-limited.
 */

let server: ScriptedServer | undefined;
let run: Run | undefined;
afterEach(async () => {
  reap(run);
  await server?.close();
  run = undefined;
  server = undefined;
});

/** Any control, format or line/paragraph separator character other than the newline ending each line. */
const RAW_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const expectNoRawUnsafe = (stream: string): void => {
  for (const line of stream.split("\n")) expect(line).not.toMatch(RAW_UNSAFE);
};

const HOSTILE_WORD = "maint\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202eenance";
const status = (system: string): string =>
  JSON.stringify({
    channel: "status",
    type: "update",
    data: [{ version: "2.0.10", system, api_version: "v2" }],
  });

describe("no raw server text on stdout or stderr", () => {
  it("escapes hostile status words on stderr and rate-limits the flapping exchange-status notice, with a count", async () => {
    server = await ScriptedServer.start();
    run = runBin(["--url", server.url, "BTC/USD"]);
    await until(() => run!.lines().some((l) => l["type"] === "book" && l["state"] === "live"), "BTC live");
    const flaps = 2000;
    for (let i = 0; i < flaps; i++) server.broadcast(status(i % 2 === 0 ? HOSTILE_WORD : "online"));
    // The last notice (or summary) names the final word, "online".
    await until(() => /online\)?\n$/.test(run!.stderr()), "the last notice");
    // Unreadable frames whose parser messages quote a C1 control and a bidi override.
    server.broadcast("\u009b2J");
    server.broadcast("\u202e{}");
    await until(() => run!.lines().filter((l) => l["type"] === "error").length >= 2, "two error lines");
    run.child.kill("SIGTERM");
    expect((await run.exit).code).toBe(0);

    const stderr = run.stderr();
    const stdout = run.stdout();
    expectNoRawUnsafe(stderr);
    expectNoRawUnsafe(stdout);
    expect(stdout).toContain("\\u009b");
    expect(stdout).toContain("\\u202e");
    // Every NDJSON line is still JSON, and the error messages parse back to the raw characters.
    const messages = run.lines().flatMap((l) => (l["type"] === "error" ? [String(l["message"])] : []));
    expect(messages.some((m) => m.includes("\u009b"))).toBe(true);
    expect(messages.some((m) => m.includes("\u202e"))).toBe(true);

    const notices = stderr.split("\n").filter((l) => l.startsWith("kraken-ladder: "));
    const shown = notices.filter((l) => l.startsWith("kraken-ladder: exchange status: "));
    const summaries = notices.flatMap((l) => {
      const m = /^kraken-ladder: (\d+) more notices not shown \(latest: exchange status: /.exec(l);
      return m === null ? [] : [Number(m[1])];
    });
    // Every change is either shown or counted; at most 5 shown and one summary per second of flapping.
    expect(shown.length + summaries.reduce((a, b) => a + b, 0)).toBe(flaps);
    expect(summaries.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThanOrEqual(5 * summaries.length + 5);
    expect(shown[0]).toBe(
      "kraken-ladder: exchange status: maint\\u001b]0;pwned\\u0007\\u001b[2J\\u009b31m\\u202eenance (was online)",
    );
  });
});
