/**
 * The package's library entry, `import { watchBooks, openBooks } from "kraken-ladder"`: the verified books
 * of the same feed worker the ladder runs, as the typed events NDJSON prints.
 */
export { watchBooks } from "./watch.js";
export { openBooks } from "./books.js";
export { SymbolError } from "../feed/symbols.js";
export type { BookOptions, Books, WatchOptions } from "./types.js";
export type {
  BookEvent,
  BookFeedEvent,
  BookState,
  ConnectionEvent,
  ErrorEvent,
  Level,
  RejectedEvent,
  ResyncEvent,
  ResyncReason,
  TickerEvent,
  TradeEvent,
  TradeGapEvent,
} from "../events/types.js";
