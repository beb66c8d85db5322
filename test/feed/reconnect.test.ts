import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionState } from "../../src/feed/types.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import type { Harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";

/**
 * The reconnect backoff against servers that misbehave on purpose, through the real worker, with short
 * real timers: a base step of 100 ms, so a served connection resets the backoff after 400 ms up.
 */

let server: ScriptedServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  h = undefined;
  server = undefined;
});

const BACKOFF = { backoffBaseMs: 100, backoffCapMs: 5000, backoffResetMs: 60_000 };

type Timed = { readonly at: number; readonly connection: ConnectionState };

/** Connection states with the time each was seen, over `windowMs` from now. */
async function watch(h: Harness, windowMs: number): Promise<readonly Timed[]> {
  const seen: Timed[] = [];
  const stop = h.feed.subscribe((e) => {
    if (e.type === "connection") {
      const { type: _type, ...connection } = e;
      seen.push({ at: Date.now(), connection });
    }
  });
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  stop();
  return seen;
}

/** Share of [from, to) spent live. */
function litShare(seen: readonly Timed[], from: number, to: number, startLive: boolean): number {
  let lit = 0;
  let since = startLive ? from : undefined;
  for (const { at, connection } of seen) {
    if (connection.state === "live" && since === undefined) since = at;
    else if (connection.state !== "live" && since !== undefined) {
      lit += at - since;
      since = undefined;
    }
  }
  if (since !== undefined) lit += to - since;
  return lit / (to - from);
}

const attempts = (seen: readonly Timed[]): number[] =>
  seen.flatMap(({ connection: c }) => (c.state === "reconnecting" ? [c.attempt] : []));

describe("reconnect backoff", () => {
  it("keeps the ladder mostly lit when a server serves books but drops every connection after 800 ms", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    server.wss.on("connection", (ws) => setTimeout(() => ws.terminate(), 800));
    h = harness(feedOptions(server.url, BACKOFF));
    await h.until(() => h!.feed.latest()?.connection.state === "live", "live");
    const from = Date.now();
    const seen = await watch(h, 5000);
    const to = Date.now();
    // Every drop came after the connection had served for longer than 4 base steps: back to attempt 1.
    expect(attempts(seen).length).toBeGreaterThanOrEqual(4);
    expect(new Set(attempts(seen))).toEqual(new Set([1]));
    // Reset only after 60 s, the waits would have grown 0.1, 0.2, 0.4, 0.8, 1.6 s: a third of the time dark.
    expect(litShare(seen, from, to, true)).toBeGreaterThan(0.8);
  });

  it("never hammers a server that closes every connection before serving a book", async () => {
    server = await ScriptedServer.start();
    server.wss.on("connection", (ws) => ws.close(1011, "unavailable"));
    h = harness(feedOptions(server.url, BACKOFF));
    const seen = await watch(h, 3000);
    // Waits below 0.1, 0.2, 0.4, 0.8, 1.6 s ceilings: a handful of tries, each counted up.
    const tries = attempts(seen);
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries).toEqual(tries.map((_, i) => i + 2));
    expect(server.connections).toBeLessThanOrEqual(12);
  });

  it("keeps backing off a server that drops each connection as soon as it has served the books", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    server.wss.on("connection", (ws) => setTimeout(() => ws.terminate(), 150));
    h = harness(feedOptions(server.url, BACKOFF));
    const seen = await watch(h, 3000);
    expect(seen.some(({ connection }) => connection.state === "live")).toBe(true);
    const tries = attempts(seen);
    expect(tries.length).toBeGreaterThanOrEqual(3);
    expect(tries).toEqual(tries.map((_, i) => i + 2));
    expect(server.connections).toBeLessThanOrEqual(12);
  });

  it("keeps the slow step after rate limiting, even on a connection that served every book", async () => {
    server = await ScriptedServer.start({ updateMs: 20 });
    h = harness(feedOptions(server.url, BACKOFF));
    await h.until(() => (h!.book("BTC/USD")?.checksums.ok ?? 0) >= 30, "served for 600 ms");
    for (let i = 0; i < 3; i++) server.broadcast('{"Error":"Exceeded msg rate"}');
    const event = await h.until(
      () => h!.events.find((e) => e.type === "connection" && e.state === "reconnecting"),
      "reconnecting",
    );
    // Not reset (attempt 2, not 1), and slow: two steps on, at least half of 0.4 s.
    expect(event).toMatchObject({ state: "reconnecting", attempt: 2 });
    expect(
      event.type === "connection" && event.state === "reconnecting" && event.retryInMs,
    ).toBeGreaterThanOrEqual(200);
  });
});
