import type * as Ladder from "./run-ladder.js";

/**
 * Loads the Ink ladder: the only way into the modules that hold Ink and React, so runs that do not draw the
 * ladder (NDJSON, `verify`, `--help`) never load them. The bundle (build/bundle.mjs) already holds React's
 * production build and Ink with its build-time changes (build/patches.mjs): nothing is prepared here.
 */
export async function loadLadder(): Promise<typeof Ladder> {
  return import("./run-ladder.js");
}
