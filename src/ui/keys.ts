import type { Key } from "ink";

/** What a key press asks for. */
export type KeyAction =
  | { readonly type: "next" }
  | { readonly type: "previous" }
  | { readonly type: "jump"; readonly index: number }
  | { readonly type: "coarser" }
  | { readonly type: "finer" }
  | { readonly type: "toggle-help" }
  /** Scroll the help by this many lines (a page is `rows`: the store knows how many). */
  | { readonly type: "scroll"; readonly by: number | "page-up" | "page-down" }
  | { readonly type: "open-search" }
  /** Type into the search (printable text) or take its last character away. */
  | { readonly type: "search-type"; readonly text: string }
  /** Backspace: the last character; Ctrl-W: the last word (back to a slash); Ctrl-U: all of it. */
  | { readonly type: "search-erase"; readonly what?: "word" | "all" }
  | { readonly type: "search-move"; readonly by: number }
  | { readonly type: "search-enter" }
  /** Close the overlay on screen (help, search). */
  | { readonly type: "close" }
  | { readonly type: "remove-symbol" }
  | { readonly type: "save" }
  /** A paste outside the search: ignored, and the notice line says so. */
  | { readonly type: "paste-ignored" }
  /** Show or hide the time-and-sales tape (beside the ladder from 120 columns, in place of it below). */
  | { readonly type: "toggle-tape" }
  /** `b`: the board in place of the ladder, or back; Esc too, from a ladder opened from the board or a board opened from a ladder. */
  | { readonly type: "toggle-board" }
  /** On the board: the selection moves through the rows as sorted (a page is the rows shown). */
  | { readonly type: "board-move"; readonly by: number | "page-up" | "page-down" }
  /** On the board: the next sort column. */
  | { readonly type: "board-sort" }
  /** On the board: Enter opens the selected symbol's ladder. */
  | { readonly type: "board-open" }
  /** Ctrl-Z: hand the terminal back to the shell and stop, as any full-screen program does; `fg` resumes. */
  | { readonly type: "suspend" }
  /** Ctrl-L: clear the terminal and draw the whole screen again (after something else wrote on it). */
  | { readonly type: "redraw" }
  | { readonly type: "quit" };

/**
 * Which keys mean what: the main screen, the tape drawn in place of the ladder (the main screen's keys,
 * but Esc closes it), the help overlay, the search overlay, the board, and a ladder opened from the board
 * (the main screen's keys, but Esc goes back to the board), and the board opened with `b` from a ladder
 * (the board's keys, but Esc goes back to the ladder: Esc quits only from the screen the app started on).
 * `too-small`: the pane is below the minimum and the screen says only that; what any other key would do
 * could not be seen (a pair removed, the shortened list saved, a search typed into), so only the quit keys
 * act, and Ctrl-Z and Ctrl-L, which change nothing of the ladder's.
 */
export type KeyMode =
  "main" | "tape" | "help" | "search" | "board" | "board-from-ladder" | "from-board" | "too-small";

type KeyFlags = Pick<Key, "leftArrow" | "rightArrow" | "tab" | "shift" | "ctrl" | "escape"> &
  Partial<
    Pick<Key, "upArrow" | "downArrow" | "pageUp" | "pageDown" | "return" | "backspace" | "delete" | "meta">
  >;

/** The flags of a key that is none of the named ones. */
export const PLAIN_KEY: KeyFlags = {
  leftArrow: false,
  rightArrow: false,
  tab: false,
  shift: false,
  ctrl: false,
  escape: false,
};

/**
 * One of Ink's input events as the key presses it holds. Keys typed faster than they are read arrive as
 * one run of characters with the flags of no key ("++", "/eth", or Backspace held down: "\x7f\x7f\x7f";
 * Ink splits off escape sequences, not these): each character is then a press of its own, with the
 * input and flags Ink gives that character alone (Backspace, Delete, Enter, Tab, Ctrl-letter).
 */
export function keyPresses(input: string, key: KeyFlags): [string, KeyFlags][] {
  if (input.length <= 1 || key.ctrl || key.meta === true) return [[input, key]];
  return [...input].map((char): [string, KeyFlags] => {
    const code = char.charCodeAt(0);
    if (char === "\x7f") return ["", { ...PLAIN_KEY, delete: true }];
    if (char === "\b") return ["", { ...PLAIN_KEY, backspace: true }];
    if (char === "\r") return ["", { ...PLAIN_KEY, return: true }];
    if (char === "\t") return ["", { ...PLAIN_KEY, tab: true }];
    // Ctrl-A … Ctrl-Z (Ctrl-C is 3, Ctrl-Z 26): Ink names the letter.
    if (code >= 1 && code <= 26 && char !== "\n")
      return [String.fromCharCode(code + 96), { ...PLAIN_KEY, ctrl: true }];
    return [char, { ...PLAIN_KEY, shift: /^[A-Z]$/.test(char) }];
  });
}

/**
 * What the terminal sends around pasted text in bracketed paste mode (on while the ladder holds the
 * screen, terminal.ts), as Ink hands it over: each marker is an input of its own, with no key's flags.
 */
export const PASTE_START = "[200~";
export const PASTE_END = "[201~";

/**
 * Pasted text is not key presses: pasted into the wrong pane, `fix sql` would remove a pair (`x`), save the
 * shortened list (`s`) and quit (`q`). Between the paste markers, text goes into the search when it is open,
 * as typed there, and is ignored anywhere else (`paste-ignored` on the start marker: one notice a paste,
 * however many inputs its text arrives in; none in a pane too small to show it, where nothing acts).
 */
export function pasteAction(
  input: string,
  mode: KeyMode,
): SearchType | { type: "paste-ignored" } | undefined {
  if (mode === "too-small") return undefined;
  if (mode === "search") return input === PASTE_START ? undefined : searchType(input);
  return input === PASTE_START ? { type: "paste-ignored" } : undefined;
}

/** Ink's (input, key) → action in this mode; `undefined` for keys that do nothing. */
export function keyAction(input: string, key: KeyFlags, mode: KeyMode = "main"): KeyAction | undefined {
  if (key.ctrl && input === "c") return { type: "quit" };
  if (key.ctrl && input === "z") return { type: "suspend" };
  if (key.ctrl && input === "l") return { type: "redraw" };
  // The line-editing keys of a shell's prompt, in the search.
  if (mode === "search" && key.ctrl && input === "u") return { type: "search-erase", what: "all" };
  if (mode === "search" && key.ctrl && input === "w") return { type: "search-erase", what: "word" };
  // A character with Ctrl or Alt is not that character: Ctrl-S must not save, Alt-x or Ctrl-X not remove a
  // pair. (Ink names the letter of Ctrl-letter, and gives Alt-letter as the letter with `meta`.)
  if ((key.ctrl || key.meta === true) && input !== "") return undefined;
  switch (mode) {
    case "search":
      return searchKey(input, key);
    case "help":
      return helpKey(input, key);
    case "main":
      return mainKey(input, key);
    case "tape":
      return key.escape ? { type: "toggle-tape" } : mainKey(input, key);
    case "board":
      return boardKey(input, key);
    case "board-from-ladder":
      return key.escape ? { type: "toggle-board" } : boardKey(input, key);
    case "from-board":
      return key.escape ? { type: "toggle-board" } : mainKey(input, key);
    case "too-small":
      return key.escape || input === "q" ? { type: "quit" } : undefined;
    default:
      return mode satisfies never;
  }
}

function mainKey(input: string, key: KeyFlags): KeyAction | undefined {
  if (key.escape || input === "q") return { type: "quit" };
  if (key.tab) return key.shift ? { type: "previous" } : { type: "next" };
  if (key.rightArrow || input === "l") return { type: "next" };
  if (key.leftArrow || input === "h") return { type: "previous" };
  if (/^[1-9]$/.test(input)) return { type: "jump", index: Number(input) - 1 };
  if (input === "+" || input === "=") return { type: "coarser" };
  if (input === "-" || input === "_" || input === "−") return { type: "finer" };
  if (input === "?") return { type: "toggle-help" };
  if (input === "/") return { type: "open-search" };
  if (input === "x") return { type: "remove-symbol" };
  if (input === "s") return { type: "save" };
  if (input === "t") return { type: "toggle-tape" };
  if (input === "b") return { type: "toggle-board" };
  return undefined;
}

function boardKey(input: string, key: KeyFlags): KeyAction | undefined {
  if (key.escape || input === "q") return { type: "quit" };
  if (key.downArrow === true || input === "j") return { type: "board-move", by: 1 };
  if (key.upArrow === true || input === "k") return { type: "board-move", by: -1 };
  if (key.pageDown === true || input === " ") return { type: "board-move", by: "page-down" };
  if (key.pageUp === true) return { type: "board-move", by: "page-up" };
  if (key.return === true) return { type: "board-open" };
  if (input === "o") return { type: "board-sort" };
  if (input === "b") return { type: "toggle-board" };
  if (input === "?") return { type: "toggle-help" };
  if (input === "/") return { type: "open-search" };
  if (input === "s") return { type: "save" };
  return undefined;
}

function helpKey(input: string, key: KeyFlags): KeyAction | undefined {
  if (key.escape || input === "?") return { type: "close" };
  if (input === "q") return { type: "quit" };
  if (key.downArrow === true || input === "j") return { type: "scroll", by: 1 };
  if (key.upArrow === true || input === "k") return { type: "scroll", by: -1 };
  if (key.pageDown === true || input === " ") return { type: "scroll", by: "page-down" };
  if (key.pageUp === true) return { type: "scroll", by: "page-up" };
  return undefined;
}

function searchKey(input: string, key: KeyFlags): KeyAction | undefined {
  if (key.escape) return { type: "close" };
  if (key.return === true) return { type: "search-enter" };
  if (key.upArrow === true) return { type: "search-move", by: -1 };
  if (key.downArrow === true || key.tab) return { type: "search-move", by: 1 };
  if (key.backspace === true || key.delete === true) return { type: "search-erase" };
  if (key.ctrl || key.meta === true) return undefined;
  return searchType(input);
}

type SearchType = Extract<KeyAction, { type: "search-type" }>;

/** Text typed (or pasted) into the search: a symbol's characters only, letters, digits and the slash. */
function searchType(input: string): SearchType | undefined {
  const text = input.replace(/[^A-Za-z0-9/]/g, "");
  return text === "" ? undefined : { type: "search-type", text };
}
