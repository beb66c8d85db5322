export { OrderBook } from "./order-book.js";
export type { ApplyOutcome } from "./order-book.js";
export { BookSide } from "./book-side.js";
export type { BookLevel } from "./book-side.js";
export { checksumText, bookChecksum } from "./checksum.js";
