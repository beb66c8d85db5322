export { runLadder } from "./run-ladder.js";
export type { LadderOptions } from "./run-ladder.js";
export { buildFrame, renderFrame, storeFor } from "./render-frame.js";
export type { FrameOptions } from "./render-frame.js";
export { LadderStore } from "./store.js";
export type { FeedSource, LadderStoreOptions } from "./store.js";
export { buildScreen, MIN_COLUMNS, MIN_ROWS } from "./view-model/screen.js";
export type { Screen, ScreenInput } from "./view-model/screen.js";
