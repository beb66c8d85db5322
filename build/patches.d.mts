import type { Plugin } from "esbuild";

/** A build-time change to one exact dependency source (build/patches.mjs). */
export type Patch = {
  /** The file, relative to the project root, with `/` separators. */
  readonly file: string;
  /** SHA-256 of the exact source the change was written for. */
  readonly sha256: string;
  /** The package and version, for messages. */
  readonly what: string;
  readonly apply: (source: string) => string;
};

export declare const sha256: (source: string) => string;
export declare const UNBOUNDED: string;
export declare const MEASURE_CACHE_LIMIT: number;
export declare const EAGER_CHILD_PROCESS: string;
export declare const WHOLE_LINE_WRITE: string;
export declare const PATCHES: readonly Patch[];
export declare function patchSource(patch: Patch, source: string): string;
export declare function dependencyPatches(root: string, patches?: readonly Patch[]): Plugin;
