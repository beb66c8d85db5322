export * from "./types.js";
export { parseFrame } from "./parse.js";
export { subscribeBook, unsubscribeBook, subscribeInstrument, ping } from "./requests.js";
export type { BookSubscription } from "./requests.js";
export { toDecimal, decimalsOf, Decimal } from "./decimal.js";
