export * from "./types.js";
export { parseFrame, parseGeneric } from "./parse.js";
export { BookScan } from "./book-scan.js";
export { subscribeBook, unsubscribeBook, subscribeInstrument, ping } from "./requests.js";
export type { BookSubscription } from "./requests.js";
export { toDecimal, decimalsOf, Decimal } from "./decimal.js";
