import { render, renderToString } from "ink";
import type { Instance, RenderOptions } from "ink";
import type { FeedView } from "../feed/types.js";
import type { Theme } from "./colors.js";
import { MONO_THEME } from "./colors.js";
import { App } from "./components/App.js";
import type { FeedSource } from "./store.js";
import { LadderStore } from "./store.js";
import type { Screen } from "./view-model/screen.js";

export type StaticFrameOptions = {
  readonly symbols: readonly string[];
  readonly columns: number;
  readonly rows: number;
  /** Index of the selected symbol. */
  readonly selected?: number;
  /** `+` presses on the selected symbol (coarser price grouping). */
  readonly coarser?: number;
  readonly help?: boolean;
  readonly theme?: Theme;
  /** Clock for ages and countdowns. */
  readonly now?: number;
};

/** A feed that only ever has the given view. */
function fixedFeed(view: FeedView | undefined): FeedSource {
  return { subscribe: () => () => undefined, latest: () => view, setLevels: () => undefined };
}

/** A store showing `view` at the given size and UI state, without timers or a terminal. */
export function storeFor(view: FeedView | undefined, options: StaticFrameOptions): LadderStore {
  const now = options.now ?? view?.publishedAt ?? 0;
  const store = new LadderStore(fixedFeed(view), {
    symbols: options.symbols,
    columns: options.columns,
    rows: options.rows,
    now: () => now,
  });
  if ((options.selected ?? 0) > 0) store.dispatch({ type: "jump", index: options.selected ?? 0 });
  for (let i = 0; i < (options.coarser ?? 0); i++) store.dispatch({ type: "coarser" });
  if (options.help === true) store.dispatch({ type: "toggle-help" });
  return store;
}

/** The screen model (every line as text and styles) for one view: the pure part of a frame. */
export function buildFrame(view: FeedView | undefined, options: StaticFrameOptions): Screen {
  return storeFor(view, options).getSnapshot();
}

/**
 * One ladder frame exactly as Ink draws it (ANSI styles included when the theme has colours), for
 * benchmarks and snapshots: the same App component as the live ladder, rendered once to a string.
 */
export function renderFrame(view: FeedView | undefined, options: StaticFrameOptions): string {
  const store = storeFor(view, options);
  return renderToString(<App store={store} theme={options.theme ?? MONO_THEME} trackSize={false} />, {
    columns: options.columns,
  });
}

/**
 * The live ladder's App over `store`, mounted with Ink's `options` as runLadder mounts it, for the render
 * benchmark (bench/render-child.mjs): the App must be drawn by the bundle's own Ink and React, which code
 * outside the bundle cannot import.
 */
export function mountApp(store: LadderStore, theme: Theme, options: RenderOptions): Instance {
  return render(<App store={store} theme={theme} onQuit={() => undefined} />, options);
}
