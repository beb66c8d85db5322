import type { BuildOptions } from "esbuild";

export declare const ROOT: string;
export declare function bundleOptions(options: {
  readonly entryPoints: readonly string[];
  readonly outdir: string;
  readonly patched: boolean;
}): BuildOptions & { metafile: true };
