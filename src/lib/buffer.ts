import type { BookFeedEvent } from "../events/types.js";

/**
 * Between the feed and a consumer that may read slower than events come: bounded whatever the consumer
 * does. A book event replaces the one pending for its symbol, and a connection event the connection event
 * pending (each a state: newest wins, placed after everything that came before it; so a consumer always
 * learns the connection's state, however slow); other events queue, at most `limit` of them, the oldest
 * dropped first and reported by an `error` event ahead of the rest.
 */
export class EventBuffer {
  private readonly queue: BookFeedEvent[] = [];
  private others = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.queue.length;
  }

  push(event: BookFeedEvent): void {
    if (event.type === "book" || event.type === "connection") {
      const pending = this.queue.findIndex((e) =>
        event.type === "book" ? e.type === "book" && e.symbol === event.symbol : e.type === "connection",
      );
      if (pending !== -1) this.queue.splice(pending, 1);
    } else if (this.others >= this.limit) {
      this.queue.splice(this.queue.findIndex(isLog), 1);
      this.dropped++;
    } else {
      this.others++;
    }
    this.queue.push(event);
  }

  shift(): BookFeedEvent | undefined {
    if (this.dropped > 0) {
      const message = `${this.dropped === 1 ? "1 event" : `${this.dropped} events`} dropped: the consumer reads slower than they come`;
      this.dropped = 0;
      return { type: "error", message };
    }
    const event = this.queue.shift();
    if (event !== undefined && isLog(event)) this.others--;
    return event;
  }
}

/** An event that queues (counted against the limit), not a state that replaces its pending one. */
function isLog(event: BookFeedEvent): boolean {
  return event.type !== "book" && event.type !== "connection";
}
