import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./run-cli.js";

/** esbuild's metafile of the build (dist/bundle-meta.json): which sources each output holds. */
export type Metafile = { outputs: Record<string, { inputs: Record<string, unknown> }> };

export const meta = JSON.parse(readFileSync(join(ROOT, "dist", "bundle-meta.json"), "utf8")) as Metafile;

/** The bundle's file (relative to dist/) that holds a source module's code. */
export function holding(source: string): string {
  const found = Object.entries(meta.outputs).find(
    ([path, output]) => path.endsWith(".js") && source in output.inputs,
  );
  if (found === undefined) throw new Error(`no output holds ${source}`);
  return found[0].replace(/^dist\//, "");
}
