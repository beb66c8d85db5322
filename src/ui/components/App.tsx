import { Box, useInput, useStdout } from "ink";
import type { Key } from "ink";
import { useCallback, useEffect, useSyncExternalStore } from "react";
import type { Theme } from "../colors.js";
import { COLOR_THEME } from "../colors.js";
import { keyAction } from "../keys.js";
import type { LadderStore } from "../store.js";
import { Header } from "./Header.js";
import { Help } from "./Help.js";
import { Ladder } from "./Ladder.js";
import { Notice, StatusBar } from "./StatusBar.js";
import { Tape } from "./Tape.js";
import { Ticker } from "./Ticker.js";
import { ThemeContext } from "./theme-context.js";
import { TooSmall } from "./TooSmall.js";

export type AppProps = {
  readonly store: LadderStore;
  readonly theme?: Theme;
  /** Called on q, Esc or Ctrl-C. Without it (a static render) keys are not read. */
  readonly onQuit?: () => void;
  /** Follow the terminal's size (stdout `resize`); off for a static render at a given size. */
  readonly trackSize?: boolean;
};

/** The full-screen ladder. All text is built by the store (the view-model); components draw its parts. */
export function App({ store, theme = COLOR_THEME, onQuit, trackSize = true }: AppProps) {
  const screen = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { stdout } = useStdout();

  useEffect(() => {
    if (!trackSize) return;
    const onResize = (): void => store.setSize(stdout.columns, stdout.rows);
    onResize();
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, store, trackSize]);

  const onInput = useCallback(
    (input: string, key: Key) => {
      // Keys typed faster than they are read arrive together ("++"): each one counts.
      const presses = input.length > 1 && !key.ctrl && !key.meta ? [...input] : [input];
      for (const press of presses) {
        // Esc closes the tape drawn in place of the ladder, rather than quitting.
        const action =
          key.escape && store.tapeOverlayShown ? { type: "toggle-tape" as const } : keyAction(press, key);
        if (action === undefined) continue;
        if (action.type === "quit") {
          onQuit?.();
          return;
        }
        store.dispatch(action);
      }
    },
    [store, onQuit],
  );
  useInput(onInput, { isActive: onQuit !== undefined });

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={screen.width} height={screen.height}>
        {screen.kind === "too-small" ? (
          <TooSmall lines={screen.lines} />
        ) : (
          <>
            <Header rows={screen.header} />
            {screen.kind !== "help" && screen.ticker !== undefined ? <Ticker line={screen.ticker} /> : null}
            {screen.kind === "help" ? (
              <Help lines={screen.help} padding={screen.padding} />
            ) : screen.kind === "tape" ? (
              <Tape lines={screen.tape} padding={screen.padding} />
            ) : (
              <Ladder rows={screen.ladder} padding={screen.padding} tape={screen.tape} />
            )}
            {screen.notice === undefined ? null : <Notice line={screen.notice} />}
            <StatusBar line={screen.status} />
          </>
        )}
      </Box>
    </ThemeContext.Provider>
  );
}
