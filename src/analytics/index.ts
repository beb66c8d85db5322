/** Book analytics: pure functions over a verified book's levels (no I/O, exact decimals). */
export { bookFigures, figuresAllowed } from "./book-figures.js";
export { sideCost } from "./cost.js";
export { exactLevels } from "./exact.js";
export { sideLiquidity } from "./liquidity.js";
export { SpreadWindow } from "./spread-window.js";
export type { SpreadSummary } from "./spread-window.js";
export { CHECKSUM_LEVELS, DEFAULT_BANDS, DEFAULT_NOTIONAL, PLACES } from "./types.js";
export type * from "./types.js";
export { MarketFigures } from "./market-figures.js";
export type { FigureSource, SymbolFigures } from "./market-figures.js";
