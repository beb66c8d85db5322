import { createHash } from "node:crypto";
import type { LoadHook } from "node:module";

/**
 * Module-loader hooks, registered by load-ladder.ts before Ink is imported, that change four modules of Ink's
 * as they load. Each change applies only to the exact source it was written for, and leaves any other source
 * (another Ink or string-width version) as it is, so an upgrade falls back to the unchanged module; the tests
 * in test/ui/ink-hooks.test.ts fail loudly when the installed sources are not the expected ones.
 *
 * 1. Ink 6.8 keeps the size of every distinct text it has ever measured in a module-level Map that is never
 *    emptied (upstream: vadimdemedes/ink#986). A ladder's rows change many times a second, so that cache
 *    grew for as long as the app ran (~200 KB/s measured at 200×60, 30 fps). Bounded here.
 * 2. string-width, 3. Ink's output stage (ink/build/output.js `Output.get`) and 4. its sanitizeAnsi (run on
 *    every text node of every frame) take the fast paths of ink-fast.ts for the text the ladder draws, with
 *    identical results; at 200×60 they were most of a frame's cost (about 40 of 45 ms).
 */

/** The statement in ink/build/measure-text.js that adds to the cache. */
export const UNBOUNDED = "cache.set(text, dimensions);";
/**
 * Entries kept before the cache starts afresh: more than one screen measures (a text node per run of lines,
 * or per line at worst: under 60 at 200×60). Yoga measures a changed text once or twice in one layout, so a
 * cache only needs to last a frame. An entry's key is a whole multi-line text (about 12 KB for the ladder's
 * body): kept low, it holds under 1 MB, and few texts live long enough to be copied when V8 collects.
 */
export const MEASURE_CACHE_LIMIT = 64;
const BOUNDED = `if (cache.size >= ${MEASURE_CACHE_LIMIT}) cache.clear();\n    ${UNBOUNDED}`;

/** Ink's measure-text source with its cache bounded; unchanged if the source is not the expected one. */
export function boundMeasureCache(source: string): string {
  return source.includes(UNBOUNDED) ? source.replace(UNBOUNDED, BOUNDED) : source;
}

const FAST = new URL("./ink-fast.js", import.meta.url).href;

export const sha256 = (source: string): string => createHash("sha256").update(source).digest("hex");

/** string-width 8.3.0's index.js, and the declaration of its export. */
export const STRING_WIDTH_SHA256 = "abc20775da6b552188b098688ebec671e29f5416d6339d3534bb7b016174003e";
const STRING_WIDTH_EXPORT = "export default function stringWidth(input, options = {}) {";

/** string-width with the fast path in front; unchanged if the source is not string-width 8.3.0's. */
export function fastStringWidthSource(source: string): string {
  if (sha256(source) !== STRING_WIDTH_SHA256 || !source.includes(STRING_WIDTH_EXPORT)) return source;
  return (
    source.replace(STRING_WIDTH_EXPORT, "function originalStringWidth(input, options = {}) {") +
    `\nimport { fastStringWidth as __klFastStringWidth } from ${JSON.stringify(FAST)};\n` +
    "export default __klFastStringWidth(originalStringWidth);\n"
  );
}

/** Ink 6.8.0's build/output.js. */
export const OUTPUT_SHA256 = "de9078c7fc647c40cf9e32d6658fcbbee91dae9e3f6334e5f4ebfc5905fc401d";

/**
 * Ink's output module with the fast path installed on `Output.prototype.get`, given the same ansi-tokenize
 * and string-width the module itself uses; unchanged if the source is not Ink 6.8.0's.
 */
export function fastOutputSource(source: string): string {
  if (sha256(source) !== OUTPUT_SHA256) return source;
  return (
    source +
    "\nimport * as __klAnsiTokenize from '@alcalzone/ansi-tokenize';\n" +
    `import { installFastOutput as __klInstallFastOutput } from ${JSON.stringify(FAST)};\n` +
    "__klInstallFastOutput(Output, __klAnsiTokenize, stringWidth);\n"
  );
}

/** Ink 6.8.0's build/sanitize-ansi.js, and its export. */
export const SANITIZE_SHA256 = "6324e0b5396fda7b0e9dddad4acad023adee913dfb77e541636efa0a04d5f043";
const SANITIZE_EXPORT = "export default sanitizeAnsi;";

/** Ink's sanitizeAnsi with the fast path in front; unchanged if the source is not Ink 6.8.0's. */
export function fastSanitizeSource(source: string): string {
  if (sha256(source) !== SANITIZE_SHA256 || !source.includes(SANITIZE_EXPORT)) return source;
  return source.replace(
    SANITIZE_EXPORT,
    `import { fastSanitizeAnsi as __klFastSanitizeAnsi } from ${JSON.stringify(FAST)};\n` +
      "export default __klFastSanitizeAnsi(sanitizeAnsi);",
  );
}

const PATCHES: readonly { readonly url: RegExp; readonly patch: (source: string) => string }[] = [
  { url: /\/ink\/build\/measure-text\.js$/, patch: boundMeasureCache },
  { url: /\/ink\/build\/output\.js$/, patch: fastOutputSource },
  { url: /\/ink\/build\/sanitize-ansi\.js$/, patch: fastSanitizeSource },
  { url: /\/node_modules\/string-width\/index\.js$/, patch: fastStringWidthSource },
];

export const load: LoadHook = async (url, context, nextLoad) => {
  const result = await nextLoad(url, context);
  const found = PATCHES.find((p) => p.url.test(url));
  if (found === undefined || result.source === undefined) return result;
  const source = typeof result.source === "string" ? result.source : new TextDecoder().decode(result.source);
  return { ...result, source: found.patch(source) };
};
