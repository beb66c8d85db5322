import type { Key } from "ink";

/** What a key press asks for. */
export type KeyAction =
  | { readonly type: "next" }
  | { readonly type: "previous" }
  | { readonly type: "jump"; readonly index: number }
  | { readonly type: "coarser" }
  | { readonly type: "finer" }
  | { readonly type: "toggle-help" }
  /** Show or hide the time-and-sales tape (beside the ladder from 120 columns, in place of it below). */
  | { readonly type: "toggle-tape" }
  | { readonly type: "quit" };

type KeyFlags = Pick<Key, "leftArrow" | "rightArrow" | "tab" | "shift" | "ctrl" | "escape">;

/** Ink's (input, key) → action; `undefined` for keys that do nothing. */
export function keyAction(input: string, key: KeyFlags): KeyAction | undefined {
  if (key.escape || (key.ctrl && input === "c") || input === "q") return { type: "quit" };
  if (key.tab) return key.shift ? { type: "previous" } : { type: "next" };
  if (key.rightArrow || input === "l") return { type: "next" };
  if (key.leftArrow || input === "h") return { type: "previous" };
  if (/^[1-9]$/.test(input)) return { type: "jump", index: Number(input) - 1 };
  if (input === "+" || input === "=") return { type: "coarser" };
  if (input === "-" || input === "_" || input === "−") return { type: "finer" };
  if (input === "?") return { type: "toggle-help" };
  if (input === "t") return { type: "toggle-tape" };
  return undefined;
}
