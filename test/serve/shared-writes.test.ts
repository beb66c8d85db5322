import { EventEmitter } from "node:events";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { SharedWrites, SseClient } from "../../src/serve/sse-client.js";

/**
 * A response that records what is written to it. Whether two clients were given the very same Buffer is
 * not visible on a real socket (the bytes are), so this one test looks at the writes themselves; the
 * bytes on real sockets are tested in serve.test.ts.
 */
class Recorder extends EventEmitter {
  readonly writes: (Buffer | string)[] = [];
  writableLength = 0;
  write(chunk: Buffer | string): boolean {
    this.writes.push(chunk);
    return true;
  }
}

function client(): { c: SseClient; res: Recorder } {
  const res = new Recorder();
  const c = new SseClient(
    res as unknown as ServerResponse,
    "all",
    25,
    { stallMs: 1000, maxBufferedBytes: 1 << 20 },
    () => undefined,
  );
  return { c, res };
}

const BTC = "event: book\nid: BTC/USD:7\ndata: {}\n\n";
const ETH = "event: book\nid: ETH/USD:3\ndata: {}\n\n";
const TRADE = 'event: trade\ndata: {"price":"1.5"}\n\n';

describe("writes shared by the clients of a round", () => {
  it("gives clients whose queues hold the same events the same encoded bytes, once", () => {
    const [a, b, c] = [client(), client(), client()];
    for (const { c: x } of [a, b, c]) {
      x.trade(TRADE, false);
      x.book("BTC/USD", BTC, false);
    }
    // c's queue differs: ETH's frame too.
    c.c.book("ETH/USD", ETH, false);
    const round = new SharedWrites();
    for (const { c: x } of [a, b, c]) x.flush(round);
    const [wa, wb, wc] = [a.res.writes[0], b.res.writes[0], c.res.writes[0]];
    expect(Buffer.isBuffer(wa)).toBe(true);
    expect(wb).toBe(wa);
    expect(wa!.toString()).toBe(TRADE + BTC);
    expect(wc).not.toBe(wa);
    expect(wc!.toString()).toBe(TRADE + BTC + ETH);
  });

  it("writes a queue that is a prefix of another's as its own bytes, and the newest frame of a symbol", () => {
    const [a, b] = [client(), client()];
    a.c.book("BTC/USD", BTC, false);
    b.c.book("BTC/USD", "event: book\nid: BTC/USD:6\ndata: {}\n\n", false);
    b.c.book("BTC/USD", BTC, false); // replaces 6 in place
    b.c.book("ETH/USD", ETH, false);
    const round = new SharedWrites();
    b.c.flush(round);
    a.c.flush(round);
    expect(b.res.writes.map(String)).toEqual([BTC + ETH]);
    expect(a.res.writes.map(String)).toEqual([BTC]);
    // Nothing waits: no write.
    a.c.flush(round);
    expect(a.res.writes).toHaveLength(1);
  });

  it("writes the queue as text when no round is given (a client's own drain or first events)", () => {
    const a = client();
    a.c.text(": hello\n\n");
    expect(a.res.writes).toEqual([": hello\n\n"]);
  });
});
