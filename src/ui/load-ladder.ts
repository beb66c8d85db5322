import { register } from "node:module";
import type * as Ladder from "./run-ladder.js";

const CI_VARIABLES = ["CI", "CONTINUOUS_INTEGRATION"] as const;

/**
 * Loads the Ink ladder, first preparing the runtime for it. Ink and React must not have been
 * loaded yet in this process: each of these takes effect when they are first imported.
 * - React picks its build from NODE_ENV when first loaded, and its development build records every
 *   component render for devtools: under a busy feed that made each frame several times slower and
 *   grew memory without bound, until the screen lagged the feed by seconds (measured in the
 *   whole-app benchmark). Unless the user set NODE_ENV, the ladder runs React's production build.
 * - Ink draws no live frames when it believes it runs in CI (its `is-in-ci` reads these variables
 *   once, when Ink is first imported), but the ladder only runs when stdout is a terminal someone
 *   is looking at: hide them while Ink loads, then put them back.
 * - Loader hooks (ink-hooks.ts) bound Ink's text-measurement cache, which never forgets, and give string-width
 *   and Ink's output stage fast paths for the ladder's text (ink-fast.ts): a 200×60 frame went from ~45 ms
 *   to ~2 ms. They change only the exact module sources they were written for.
 */
export async function loadLadder(): Promise<typeof Ladder> {
  process.env["NODE_ENV"] ??= "production";
  register(new URL("./ink-hooks.js", import.meta.url));
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of CI_VARIABLES) delete process.env[name];
  try {
    return await import("./run-ladder.js");
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
