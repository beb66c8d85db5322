import { Box, useInput, useStdout } from "ink";
import type { Key } from "ink";
import { useCallback, useEffect, useRef, useSyncExternalStore } from "react";
import type { Theme } from "../colors.js";
import { COLOR_THEME } from "../colors.js";
import { keyAction, keyPresses, PASTE_END, PASTE_START, pasteAction } from "../keys.js";
import { CLEAR_SCREEN } from "../terminal.js";
import type { LadderStore } from "../store.js";
import { Board } from "./Board.js";
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
  /** Called on q, Ctrl-C, or Esc on the ladder itself. Without it (a static render) keys are not read. */
  readonly onQuit?: () => void;
  /** Called on Ctrl-Z. */
  readonly onSuspend?: () => void;
  /** Follow the terminal's size (stdout `resize`); off for a static render at a given size. */
  readonly trackSize?: boolean;
};

/** The full-screen ladder. All text is built by the store (the view-model); components draw its parts. */
export function App({ store, theme = COLOR_THEME, onQuit, onSuspend, trackSize = true }: AppProps) {
  const screen = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { stdout, write } = useStdout();

  useEffect(() => {
    if (!trackSize) return;
    const onResize = (): void => store.setSize(stdout.columns, stdout.rows);
    onResize();
    stdout.on("resize", onResize);
    return () => {
      stdout.off("resize", onResize);
    };
  }, [stdout, store, trackSize]);

  const pasting = useRef(false);
  const onInput = useCallback(
    (input: string, key: Key) => {
      // Bracketed paste: the text between the markers is not keys (keys.ts, pasteAction).
      if (input === PASTE_END) {
        pasting.current = false;
        return;
      }
      if (input === PASTE_START) pasting.current = true;
      if (pasting.current) {
        const action = pasteAction(input, store.mode);
        if (action !== undefined) store.dispatch(action);
        return;
      }
      // Keys typed faster than they are read arrive together ("++"): each one counts.
      for (const [press, flags] of keyPresses(input, key)) {
        // The mode is read per key: "/eth" typed at once opens the search, then types into it.
        const action = keyAction(press, flags, store.mode);
        if (action === undefined) continue;
        if (action.type === "quit") {
          onQuit?.();
          return;
        }
        if (action.type === "suspend") {
          onSuspend?.();
          return;
        }
        if (action.type === "redraw") {
          // As after a resize (RepaintOnResize): Ink forgets its frame, and draws all of it again.
          write(CLEAR_SCREEN);
          continue;
        }
        store.dispatch(action);
      }
    },
    [store, onQuit, onSuspend, write],
  );
  useInput(onInput, { isActive: onQuit !== undefined });

  return (
    <ThemeContext.Provider value={theme}>
      <Box flexDirection="column" width={screen.width} height={screen.height}>
        {screen.kind === "too-small" ? (
          <TooSmall lines={screen.lines} />
        ) : screen.kind === "board" ? (
          <>
            <Board
              title={screen.title}
              columns={screen.columns}
              rows={screen.rows}
              padding={screen.padding}
            />
            {screen.notice === undefined ? null : <Notice line={screen.notice} />}
            <StatusBar line={screen.status} />
          </>
        ) : (
          <>
            <Header rows={screen.header} />
            {(screen.kind === "ladder" || screen.kind === "tape") && screen.ticker !== undefined ? (
              <Ticker line={screen.ticker} />
            ) : null}
            {screen.kind === "ladder" ? (
              <Ladder rows={screen.ladder} padding={screen.padding} tape={screen.tape} />
            ) : screen.kind === "tape" ? (
              <Tape lines={screen.tape} padding={screen.padding} />
            ) : (
              <Help lines={screen.help} padding={screen.padding} />
            )}
            {screen.notice === undefined ? null : <Notice line={screen.notice} />}
            <StatusBar line={screen.status} />
          </>
        )}
      </Box>
    </ThemeContext.Provider>
  );
}
