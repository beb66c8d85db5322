import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Publisher } from "../../src/feed/publisher.js";
import { Session } from "../../src/feed/session.js";
import type { FeedView } from "../../src/feed/types.js";
import { parseFrame } from "../../src/protocol/parse.js";

const capture = readFileSync(
  new URL("../fixtures/kraken-v2-btcusd-d10-capture.jsonl", import.meta.url),
  "utf8",
)
  .split("\n")
  .filter(Boolean);

function setup(ready: () => boolean) {
  const session = new Session(
    { symbols: ["BTC/USD"], depth: 10, retryBaseMs: 250, retryCapMs: 30_000 },
    { send: () => undefined, event: () => undefined, slowDown: () => undefined },
  );
  session.opened();
  const views: FeedView[] = [];
  const publisher = new Publisher(
    session,
    () => ({ state: "live" }),
    (v) => views.push(v),
    { fps: 30, levels: 5, staleAfterMs: 60_000, maxLagMs: 3000 },
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
  return { publisher, views, feed };
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
});
