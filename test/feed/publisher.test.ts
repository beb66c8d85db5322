import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { Publisher } from "../../src/feed/publisher.js";
import { Session } from "../../src/feed/session.js";
import type { ConnectionState, FeedView } from "../../src/feed/types.js";
import { parseFrame } from "../../src/protocol/parse.js";

const capture = readFileSync(
  new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter(Boolean);

function setup(
  ready: () => boolean,
  fps = 30,
  connection: () => ConnectionState = () => ({ state: "live" }),
) {
  const session = new Session(
    { symbols: ["BTC/USD"], depth: 10, retryBaseMs: 250, retryCapMs: 30_000 },
    { send: () => undefined, event: () => undefined, slowDown: () => undefined },
  );
  session.opened();
  const views: FeedView[] = [];
  const publisher = new Publisher(
    session,
    connection,
    (v) => views.push(v),
    { fps, levels: 5, staleAfterMs: 60_000, maxLagMs: 3000 },
    ready,
  );
  let next = 0;
  /** Feeds the capture's frames up to its `n`-th book frame. */
  const feed = (books: number, now: number): void => {
    for (let seen = 0; next < capture.length && seen < books; next++) {
      const msg = parseFrame(capture[next]!);
      if (msg.kind === "book") seen++;
      session.handle(msg, now);
    }
  };
  return { publisher, views, feed, session };
}

describe("publisher flow control", () => {
  it("holds views while the consumer is busy and publishes the latest state as soon as it is ready", () => {
    let ready = true;
    const { publisher, views, feed } = setup(() => ready);
    feed(3, 1_000);
    publisher.tick(1_000);
    expect(views).toHaveLength(1);

    ready = false;
    feed(3, 1_033);
    publisher.tick(1_033);
    feed(3, 1_066);
    publisher.tick(1_066);
    expect(views).toHaveLength(1);

    ready = true;
    publisher.resume(1_070);
    expect(views).toHaveLength(2);
    expect(views[1]!.books[0]!.checksums.ok).toBe(9);
    // Nothing was held back any more: resuming again publishes nothing.
    publisher.resume(1_071);
    expect(views).toHaveLength(2);
  });

  it("publishes a forced view whatever the consumer's state (the last view on stop)", () => {
    const { publisher, views, feed } = setup(() => false);
    feed(2, 1_000);
    publisher.tick(1_000);
    expect(views).toHaveLength(0);
    publisher.tick(1_000, true);
    expect(views).toHaveLength(1);
  });

  it("republishes a whole view when asked, past a busy consumer (a stall ended: feed/stall.ts)", () => {
    let ready = true;
    const { publisher, views, feed } = setup(() => ready);
    feed(2, 1_000);
    publisher.tick(1_000);
    expect(views).toHaveLength(1);
    ready = false;
    publisher.tick(1_000);
    expect(views).toHaveLength(1);
    publisher.republish(1_000);
    expect(views).toHaveLength(2);
    expect(views[1]!.books[0]).toBe(views[0]!.books[0]);
  });
});

describe("publication driven by changes", () => {
  it("publishes a change at once when the last view is an interval old, else with the next change past it", () => {
    const { publisher, views, feed } = setup(() => true, 20); // an interval of 50 ms
    feed(1, 1_000);
    publisher.changed(1_000);
    expect(views).toHaveLength(1);
    feed(1, 1_020);
    publisher.changed(1_020);
    feed(1, 1_040);
    publisher.changed(1_040);
    expect(views).toHaveLength(1);
    feed(1, 1_055);
    publisher.changed(1_055);
    expect(views).toHaveLength(2);
    expect(views[1]!.books[0]!.checksums.ok).toBe(4);
    expect(views[1]!.publishedAt).toBe(1_055);
    publisher.stop();
  });

  it("publishes a change that nothing follows on a timer, within one and a half intervals", async () => {
    const { publisher, views, feed } = setup(() => true, 20);
    const start = Date.now();
    feed(1, start);
    publisher.changed(start);
    feed(1, start);
    publisher.changed(start);
    expect(views).toHaveLength(1);
    await vi.waitFor(() => expect(views).toHaveLength(2), { timeout: 2_000, interval: 5 });
    expect(views[1]!.books[0]!.checksums.ok).toBe(2);
    // At most fps views a second: the trailing view waited for its interval.
    expect(views[1]!.publishedAt - views[0]!.publishedAt).toBeGreaterThanOrEqual(50);
    publisher.stop();
  });

  it("publishes nothing once stopped, except the forced last view", async () => {
    const { publisher, views, feed } = setup(() => true, 20);
    feed(1, 1_000);
    publisher.changed(1_000);
    feed(1, 1_010);
    publisher.changed(1_010);
    publisher.stop();
    feed(1, 2_000);
    publisher.changed(2_000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(views).toHaveLength(1);
    publisher.tick(2_000, true);
    expect(views).toHaveLength(2);
  });
});

describe("levels per book", () => {
  it("gives the named books deep levels and the others fewer, says when a view is cut, and bumps only the changed books' versions", () => {
    const { publisher, views, feed } = setup(() => true);
    feed(3, 1_000);
    publisher.tick(1_000);
    const first = views.at(-1)!.books[0]!;
    // levels 5 of a depth-10 book: the view is cut.
    expect(first.bids).toHaveLength(5);
    expect(first.cut).toBe(true);
    publisher.setLevels(1, { symbols: ["BTC/USD"], levels: 10 });
    publisher.tick(2_000);
    const deep = views.at(-1)!.books[0]!;
    expect(deep.bids).toHaveLength(10);
    expect(deep.cut).toBeUndefined();
    expect(deep.version).toBe(first.version + 1);
    // Not named: the touch alone, cut.
    publisher.setLevels(1, { symbols: ["ETH/USD"], levels: 10 });
    publisher.tick(3_000);
    const touch = views.at(-1)!.books[0]!;
    expect(touch.bids).toHaveLength(1);
    expect(touch.cut).toBe(true);
    expect(touch.version).toBe(deep.version + 1);
    // The same levels again for this book: no new version.
    publisher.setLevels(1, { symbols: ["SOL/USD"], levels: 10 });
    publisher.tick(4_000, true);
    expect(views.at(-1)!.books[0]!.version).toBe(touch.version);
  });
});

describe("views of unchanged books", () => {
  it("publishes a book that did not change since the last view as the same object, and a changed one anew", () => {
    const { publisher, views, feed } = setup(() => true);
    feed(3, 1_000);
    publisher.tick(1_000, true);
    publisher.tick(1_100, true);
    expect(views).toHaveLength(2);
    expect(views[1]!.books[0]).toBe(views[0]!.books[0]);
    feed(1, 1_200);
    publisher.tick(1_200, true);
    expect(views[2]!.books[0]).not.toBe(views[1]!.books[0]);
    expect(views[2]!.books[0]!.version).toBe(views[1]!.books[0]!.version + 1);
  });

  it("shows one lag per version: a lag that moves on while the book does not waits for the book's next version", () => {
    const { publisher, views, feed, session } = setup(() => true);
    feed(3, 1_000);
    publisher.tick(1_000, true);
    const first = views.at(-1)!.books[0]!;
    expect(first.lagMs).toBeDefined();
    // The stream's newest update (another pair's, say) came 0.5 s later than the fastest: this book is as
    // late, but nothing it shows besides moved, so it is the same version, and shows the lag it had.
    session.newestDelta = session.newestDelta! + 500;
    publisher.tick(1_100, true);
    const same = views.at(-1)!.books[0]!;
    expect([same.version, same.lagMs]).toEqual([first.version, first.lagMs]);
    // Its next version (here: more levels shown) shows the lag measured then.
    publisher.setLevels(6);
    publisher.tick(1_200, true);
    const next = views.at(-1)!.books[0]!;
    expect([next.version, next.lagMs]).toEqual([first.version + 1, first.lagMs! + 500]);
  });

  it("makes every book a new version when the socket opens or closes, or its state while closed changes", () => {
    let connection: ConnectionState = { state: "live" };
    const { publisher, views, feed } = setup(
      () => true,
      30,
      () => connection,
    );
    feed(3, 1_000);
    publisher.tick(1_000, true);
    const version = (): number => views.at(-1)!.books[0]!.version;
    const live = version();
    // Served without prices from here on (feed/servable.ts): a new version, though the book kept its state.
    connection = { state: "ended" };
    publisher.tick(1_100, true);
    expect(views.at(-1)!.books[0]!.state).toBe("live");
    expect(version()).toBe(live + 1);
    connection = { state: "stopped" };
    publisher.tick(1_200, true);
    expect(version()).toBe(live + 2);
    // Open states alone change nothing a book is served with.
    connection = { state: "live" };
    publisher.tick(1_300, true);
    const open = version();
    connection = { state: "subscribing" };
    publisher.tick(1_400, true);
    expect(version()).toBe(open);
  });
});
