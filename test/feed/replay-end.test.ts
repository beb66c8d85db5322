import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startSimServer } from "../../src/sim/server.js";
import type { SimServer } from "../../src/sim/server.js";
import type { FeedEvent } from "../../src/feed/types.js";
import { servable } from "../../src/feed/servable.js";
import { feedOptions, harness } from "./support/feed-harness.js";
import { ScriptedServer } from "./support/scripted-server.js";
import type { Harness } from "./support/feed-harness.js";

const capture = fileURLToPath(new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url));
let server: SimServer | undefined;
let scripted: ScriptedServer | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.feed.stop();
  await server?.close();
  await scripted?.close();
  h = undefined;
  server = undefined;
  scripted = undefined;
});

describe("the end of a replay", () => {
  it("ends the connection after the recording's last book frame: nothing is servable, no notice, no status word after it", async () => {
    server = await startSimServer({ host: "127.0.0.1", port: 0, replayPath: capture, speed: Infinity });
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD"], replayTimes: true }));
    const endedAt = await h.until(() => {
      const at = h!.events.findIndex((e) => e.type === "connection" && e.state === "ended");
      return at >= 0 ? at : undefined;
    }, "the connection ended");
    // Every book update of the recording was applied before the end was said.
    const before = h.events.slice(0, endedAt).filter((e) => e.type === "view");
    await h.until(() => h!.feed.latest()!.books[0]!.checksums.ok > 0, "a verified book");
    expect(before.length).toBeGreaterThan(0);
    // Views are coalesced: the one before the end carries the last update; nothing changes after it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const okAtEnd = h.feed.latest()!.books[0]!.checksums.ok;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.feed.latest()!.books[0]!.checksums.ok).toBe(okAtEnd);
    const lastBefore = h.events.slice(0, endedAt).findLast((e) => e.type === "view");
    expect(lastBefore?.type === "view" && lastBefore.view.books[0]!.checksums.ok).toBe(okAtEnd);
    // The server's `replay_ended` is the end, not an exchange status: the recorded `online` is the only
    // status, and after `ended` come only views that say it.
    const statuses = h.events.filter((e): e is Extract<FeedEvent, { type: "status" }> => e.type === "status");
    expect(statuses.map((s) => s.system)).toEqual(["online"]);
    expect(h.events.slice(endedAt + 1).filter((e) => e.type !== "view")).toEqual([]);
    expect(h.feed.latest()!.connection).toEqual({ state: "ended" });
    const book = h.feed.latest()!.books[0]!;
    expect(book.state).toBe("live");
    expect(servable(book.state, h.feed.latest()!.connection.state)).toBe(false);
    expect(h.events.some((e) => e.type === "notice")).toBe(false);
  });

  it("applies nothing that comes on the connection after the end: the books stay as they ended", async () => {
    scripted = await ScriptedServer.start({ mids: { "BTC/USD": 63388 }, updateMs: 60_000 });
    h = harness(feedOptions(scripted.url));
    await h.until(() => h!.book("BTC/USD")?.state === "live", "a live book");
    scripted.broadcast(scripted.book("BTC/USD").update());
    await h.until(() => h!.book("BTC/USD")!.checksums.ok === 2, "the update applied");
    scripted.broadcast(
      '{"channel":"status","type":"update","data":[{"system":"replay_ended","api_version":"v2","connection_id":1,"version":"2.0.10"}]}',
    );
    await h.until(() => h!.feed.latest()?.connection.state === "ended", "the connection ended");
    const ended = h.book("BTC/USD")!;
    // More on the same socket (a server that replays again on a resubscribe sends a whole book anew).
    scripted.broadcast(scripted.book("BTC/USD").update());
    scripted.broadcast(scripted.book("BTC/USD").corruptUpdate());
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.book("BTC/USD")).toMatchObject({
      state: "live",
      version: ended.version,
      checksum: ended.checksum,
      checksums: { ok: 2, failed: 0 },
    });
    expect(h.events.some((e) => e.type === "resync")).toBe(false);
    expect(h.feed.latest()!.connection).toEqual({ state: "ended" });
  });

  it("keeps a book at the depth the server serves when it acks another than asked (a recording's), and asks no other", async () => {
    // The recording is at depth 10 and one minute long: at speed 10 it runs for 6 s.
    server = await startSimServer({ host: "127.0.0.1", port: 0, replayPath: capture, speed: 10 });
    // Asked at 25, a book truncated at 25 would fail its checksums.
    h = harness(feedOptions(server.url, { symbols: ["BTC/USD"], depth: 25, replayTimes: true }));
    await h.until(() => h!.book("BTC/USD")?.state === "live", "a live book");
    expect(h.book("BTC/USD")?.depth).toBe(10);
    // As the ladder does in a tall pane: a new subscribe would start the replay over.
    h.feed.setDepth!("BTC/USD", 100);
    await h.until(() => h!.feed.latest()?.connection.state === "ended", "the end of the replay", 15_000);
    expect(h.book("BTC/USD")).toMatchObject({ state: "live", depth: 10, checksums: { ok: 301, failed: 0 } });
    expect(h.events.some((e) => e.type === "resync")).toBe(false);
  }, 20_000);
});
