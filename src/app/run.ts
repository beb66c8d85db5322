import type { AppOptions } from "./options.js";

/** Placeholder until the feed lands: the ladder needs the feed worker (issue 4). */
export async function runApp(_options: AppOptions): Promise<number> {
  process.stderr.write("kraken-ladder: the live ladder is not built yet; try `kraken-ladder verify FILE`.\n");
  return 1;
}
