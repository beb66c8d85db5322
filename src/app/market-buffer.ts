import type { FeedClient, FeedEvent } from "../feed/types.js";

/** Most trades held while the ladder loads; older ones are dropped first (the tape shows the newest). */
const TRADE_LIMIT = 2000;

/**
 * The market events (instrument, status, ticker, trades, trade gaps) and a `nothing-to-watch` the feed sends
 * while the ladder is still loading: `instrument` and `status` come once, right after subscribing, and must
 * not be lost before the ladder listens. `take()` hands them over, in order, and stops listening.
 */
export function bufferMarketEvents(feed: Pick<FeedClient, "subscribe">): { take(): FeedEvent[] } {
  let events: FeedEvent[] = [];
  let trades = 0;
  const unsubscribe = feed.subscribe((event) => {
    switch (event.type) {
      case "trade":
        events.push(event);
        if (++trades > TRADE_LIMIT + 500) {
          // Dropped in batches, oldest trades first; everything else is kept.
          let drop = trades - TRADE_LIMIT;
          events = events.filter((e) => e.type !== "trade" || drop-- <= 0);
          trades = TRADE_LIMIT;
        }
        break;
      case "trade-gap":
      case "ticker":
      case "instrument":
      case "status":
      case "nothing-to-watch":
        events.push(event);
        break;
      default:
        break;
    }
  });
  return {
    take() {
      unsubscribe();
      const out = events;
      events = [];
      return out;
    },
  };
}
