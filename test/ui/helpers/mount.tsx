import { render } from "ink-testing-library";
import { App } from "../../../src/ui/components/App.js";
import { MONO_THEME } from "../../../src/ui/colors.js";
import type { Theme } from "../../../src/ui/colors.js";
import { LadderStore } from "../../../src/ui/store.js";
import type { MemoryFeed } from "./views.js";
import { NOW } from "./views.js";

export const KEYS = {
  right: "\u001b[C",
  left: "\u001b[D",
  tab: "\t",
  shiftTab: "\u001b[Z",
  escape: "\u001b",
  ctrlC: "\u0003",
} as const;

type Mounted = ReturnType<typeof render> & {
  readonly store: LadderStore;
  readonly quits: () => number;
  /** The terminal changes size, as a SIGWINCH would tell Ink. */
  resize(columns: number, rows: number): void;
  /** The frame once Ink has drawn it. */
  frame(): Promise<string>;
  press(...keys: string[]): Promise<void>;
  dispose(): void;
};

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The real App on ink-testing-library's fake terminal, sized like a pane, over an in-memory feed. */
export function mount(
  feed: MemoryFeed,
  options: { symbols: readonly string[]; columns?: number; rows?: number; theme?: Theme; now?: () => number },
): Mounted {
  const columns = options.columns ?? 80;
  const rows = options.rows ?? 24;
  const store = new LadderStore(feed, {
    symbols: options.symbols,
    columns,
    rows,
    now: options.now ?? (() => NOW),
  });
  store.start();
  let quits = 0;
  const instance = render(
    <App store={store} theme={options.theme ?? MONO_THEME} onQuit={() => (quits += 1)} />,
  );
  const setSize = (c: number, r: number): void => {
    Object.defineProperty(instance.stdout, "columns", { value: c, configurable: true });
    Object.defineProperty(instance.stdout, "rows", { value: r, configurable: true });
  };
  setSize(columns, rows);
  return {
    ...instance,
    store,
    quits: () => quits,
    resize(c: number, r: number) {
      setSize(c, r);
      instance.stdout.emit("resize");
    },
    async frame() {
      await tick();
      return instance.lastFrame() ?? "";
    },
    async press(...keys: string[]) {
      for (const key of keys) {
        instance.stdin.write(key);
        await tick();
      }
    },
    dispose() {
      instance.unmount();
      instance.cleanup();
      store.dispose();
    },
  };
}
