import { describe, expect, it } from "vitest";
import type { FeedEvent } from "../../src/feed/types.js";
import { FeedNotes, REPEAT_MS } from "../../src/serve/feed-notes.js";

const lost = (reason: string, attempt: number, neverOpened = false): FeedEvent => ({
  type: "connection",
  state: "reconnecting",
  attempt,
  retryInMs: 100,
  retryAt: 0,
  reason,
  ...(neverOpened ? { neverOpened: true as const } : {}),
});
const live: FeedEvent = { type: "connection", state: "live" };

describe("FeedNotes (serve's stderr about its feed)", () => {
  it("words troubles as NDJSON does, says each again only after REPEAT_MS, and recovery only after a trouble said", () => {
    let now = 0;
    const said: string[] = [];
    const notes = new FeedNotes(
      (m) => said.push(m),
      () => now,
    );
    const refused = "cannot connect: connect ECONNREFUSED 127.0.0.1:9; retrying";
    for (let attempt = 1; attempt <= 3; attempt++, now += 1000)
      notes.event(lost("connect ECONNREFUSED 127.0.0.1:9", attempt, true));
    expect(said).toEqual([refused]);
    now = REPEAT_MS;
    notes.event(lost("connect ECONNREFUSED 127.0.0.1:9", 4, true));
    expect(said.at(-1)).toBe(`${refused} (2 times more since it was last said)`);
    // Another trouble is news at once.
    notes.event(lost("closed by server (1006)", 5));
    expect(said.at(-1)).toBe("connection lost: closed by server (1006); retrying");
    notes.event({ type: "connection", state: "subscribing" });
    notes.event(live);
    expect(said.at(-1)).toBe("connection live again after 5 failed tries");
    expect(said).toHaveLength(4);

    // A flapping feed: the same loss within REPEAT_MS is not said, nor is the recovery from it.
    for (let i = 0; i < 10; i++) {
      now += 1000;
      notes.event(lost("closed by server (1006)", 1));
      notes.event(live);
    }
    expect(said).toHaveLength(4);
    now += REPEAT_MS;
    notes.event(lost("closed by server (1006)", 1));
    notes.event(live);
    expect(said.slice(4)).toEqual([
      "connection lost: closed by server (1006); retrying (10 times more since it was last said)",
      "connection live again after 1 failed try",
    ]);
  });

  it("says the feed's errors and notices, each once per REPEAT_MS, and nothing else", () => {
    let now = 0;
    const said: string[] = [];
    const notes = new FeedNotes(
      (m) => said.push(m),
      () => now,
    );
    const error = "subscribe instrument failed: Channel instrument not supported; no pair list to watch";
    notes.event({ type: "error", message: error });
    notes.event({ type: "notice", message: "exchange status: maintenance (was online)" });
    now += 5000;
    notes.event({ type: "error", message: error });
    notes.event(live);
    notes.event({ type: "rejected", symbol: "FOO/BAR", reason: "no" });
    expect(said).toEqual([error, "exchange status: maintenance (was online)"]);
    now += REPEAT_MS;
    notes.event({ type: "error", message: error });
    expect(said.at(-1)).toBe(`${error} (once more since it was last said)`);
  });
});
