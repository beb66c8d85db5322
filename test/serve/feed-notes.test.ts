import { describe, expect, it } from "vitest";
import type { BookView, FeedEvent, FeedView, ResyncReason } from "../../src/feed/types.js";
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
    notes.event({ type: "trade-gap", symbol: "BTC/USD", expected: 2, got: 3 });
    expect(said).toEqual([error, "exchange status: maintenance (was online)"]);
    now += REPEAT_MS;
    notes.event({ type: "error", message: error });
    expect(said.at(-1)).toBe(`${error} (once more since it was last said)`);

    // A subscribe retried with a growing delay is one note, said with the delay it had then.
    const retried = (ms: number): FeedEvent => ({
      type: "error",
      message: `subscribe ETH/USD failed: EGeneral:Internal error; retrying in ${ms} ms`,
      retryInMs: ms,
    });
    const before = said.length;
    for (const ms of [200, 400, 800, 1600]) notes.event(retried(ms));
    now += REPEAT_MS;
    notes.event(retried(2000));
    expect(said.slice(before)).toEqual([
      "subscribe ETH/USD failed: EGeneral:Internal error; retrying in 200 ms",
      "subscribe ETH/USD failed: EGeneral:Internal error; retrying in 2000 ms (3 times more since it was last said)",
    ]);

    // An error that is no retry is one note by its whole text, whatever words it holds: the worker's
    // summary of errors not shown, quoting the latest, or an exchange's own text.
    const other = [
      "2 more errors not shown (latest: subscribe ETH/USD failed: EGeneral:Internal error; retrying in 700 ms)",
      "2 more errors not shown (latest: subscribe ETH/USD failed: EGeneral:Internal error; retrying in 900 ms)",
      "unsubscribe ETH/USD failed: busy; retrying in 5 ms",
      "unsubscribe ETH/USD failed: busy; retrying in 10 ms",
    ];
    const after = said.length;
    for (const message of other) notes.event({ type: "error", message });
    expect(said.slice(after)).toEqual(other);
  });

  it("says each book's resync and rejection with the reason, once per REPEAT_MS, and when a book said is served again", () => {
    let now = 0;
    const said: string[] = [];
    const notes = new FeedNotes(
      (m) => said.push(m),
      () => now,
    );
    const resync = (symbol: string, reason: ResyncReason = "checksum-mismatch"): FeedEvent => ({
      type: "resync",
      symbol,
      reason,
      retryInMs: 0,
    });
    notes.event({ type: "rejected", symbol: "FOO/BAR", reason: "Currency pair not supported FOO/BAR" });
    notes.event(resync("BTC/USD"));
    notes.event(view("live", { "BTC/USD": "resyncing", "ETH/USD": "live" }));
    expect(said).toEqual([
      "FOO/BAR rejected: Currency pair not supported FOO/BAR",
      "BTC/USD resyncing: checksum-mismatch",
    ]);
    // Served again only once live (or stale) on an open connection.
    notes.event(view("reconnecting", { "BTC/USD": "live" }));
    notes.event(view("live", { "BTC/USD": "lagging" }));
    expect(said).toHaveLength(2);
    notes.event(view("live", { "BTC/USD": "stale" }));
    expect(said.at(-1)).toBe("BTC/USD verified again after 1 resync");

    // A book that flaps: its resyncs within REPEAT_MS are counted, not said, nor is its recovery from them.
    for (let i = 0; i < 5; i++) {
      now += 1000;
      notes.event(resync("BTC/USD"));
      notes.event(view("live", { "BTC/USD": "resyncing" }));
      notes.event(view("live", { "BTC/USD": "live" }));
    }
    expect(said).toHaveLength(3);
    // Another book, or another reason, is news at once.
    notes.event(resync("ETH/USD"));
    notes.event(resync("BTC/USD", "crossed-book"));
    notes.event(view("live", { "BTC/USD": "resyncing", "ETH/USD": "resyncing" }));
    expect(said.slice(3)).toEqual([
      "ETH/USD resyncing: checksum-mismatch",
      "BTC/USD resyncing: crossed-book",
    ]);
    now = REPEAT_MS + 1000;
    notes.event(resync("BTC/USD"));
    notes.event(resync("BTC/USD"));
    notes.event(view("live", { "BTC/USD": "live", "ETH/USD": "resyncing" }));
    notes.event(view("live", { "BTC/USD": "live", "ETH/USD": "live" }));
    expect(said.slice(5)).toEqual([
      "BTC/USD resyncing: checksum-mismatch (5 times more since it was last said)",
      "BTC/USD verified again after 3 resyncs",
      "ETH/USD verified again after 1 resync",
    ]);
  });

  it("says the books of one run of resyncs in one line, naming five", () => {
    const said: string[] = [];
    const notes = new FeedNotes((m) => said.push(m));
    const symbols = ["A/USD", "B/USD", "C/USD", "D/USD", "E/USD", "F/USD", "G/USD"];
    for (const symbol of symbols) notes.event({ type: "resync", symbol, reason: "bad-frame", retryInMs: 0 });
    // Said at the next event of another kind, before it.
    notes.event({ type: "error", message: "malformed frame: cut off" });
    notes.event(view("live", Object.fromEntries(symbols.map((s) => [s, "live"]))));
    expect(said).toEqual([
      "A/USD, B/USD, C/USD, D/USD, E/USD and 2 more resyncing: bad-frame",
      "malformed frame: cut off",
      "A/USD, B/USD, C/USD, D/USD, E/USD and 2 more verified again",
    ]);
  });

  it("says the pairs the exchange rejects in one run in one line, naming five, each pair's own name left out of the reason", () => {
    const said: string[] = [];
    const notes = new FeedNotes((m) => said.push(m));
    const rejected = (symbol: string, reason = `Currency pair not supported ${symbol}`): FeedEvent => ({
      type: "rejected",
      symbol,
      reason,
    });
    const symbols = ["A/USD", "B/USD", "C/USD", "D/USD", "E/USD", "F/USD", "G/USD"];
    for (const symbol of symbols) notes.event(rejected(symbol));
    notes.event(rejected("H/USD", "Invalid pair H/USD for depth"));
    notes.event(rejected("I/USD", "Invalid pair I/USD for depth"));
    notes.event(rejected("J/USD", "EGeneral:Unknown asset pair"));
    notes.event(view("live", { "A/USD": "rejected" }));
    // One alone is said whole, as before.
    notes.event(rejected("K/USD"));
    notes.event(view("live", { "K/USD": "rejected" }));
    expect(said).toEqual([
      "A/USD, B/USD, C/USD, D/USD, E/USD and 2 more rejected: Currency pair not supported",
      "H/USD, I/USD rejected: Invalid pair … for depth",
      "J/USD rejected: EGeneral:Unknown asset pair",
      "K/USD rejected: Currency pair not supported K/USD",
    ]);
  });
});

/** A view of these books in these states on a connection in `connection`. */
function view(connection: "live" | "reconnecting", states: Record<string, BookView["state"]>): FeedEvent {
  const books = Object.entries(states).map(([symbol, state]) => ({ symbol, state }) as BookView);
  const c =
    connection === "live"
      ? { state: "live" as const }
      : { state: connection, attempt: 1, retryInMs: 0, retryAt: 0, reason: "x" };
  return { type: "view", view: { connection: c, books } as unknown as FeedView };
}
