import type { BookFeedEvent } from "../events/types.js";

/**
 * Between the feed and a consumer that may read slower than events come: bounded whatever the consumer
 * does. A book event replaces the one pending for its symbol (newest wins, placed after everything that
 * came before it); other events queue, at most `limit` of them, the oldest dropped first and reported by
 * an `error` event ahead of the rest.
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
    if (event.type === "book") {
      const pending = this.queue.findIndex((e) => e.type === "book" && e.symbol === event.symbol);
      if (pending !== -1) this.queue.splice(pending, 1);
    } else if (this.others >= this.limit) {
      this.queue.splice(
        this.queue.findIndex((e) => e.type !== "book"),
        1,
      );
      this.dropped++;
    } else {
      this.others++;
    }
    this.queue.push(event);
  }

  shift(): BookFeedEvent | undefined {
    if (this.dropped > 0) {
      const message = `${this.dropped} events dropped: the consumer reads slower than they come`;
      this.dropped = 0;
      return { type: "error", message };
    }
    const event = this.queue.shift();
    if (event !== undefined && event.type !== "book") this.others--;
    return event;
  }
}
