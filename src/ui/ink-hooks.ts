import type { LoadHook } from "node:module";

/**
 * Module-loader hooks (registered by load-ladder.ts before Ink is imported) that bound Ink's text
 * measurement cache. Ink 6.8 keeps the size of every distinct text it has ever measured in a
 * module-level Map that is never emptied (upstream: vadimdemedes/ink#986). A ladder's rows change
 * many times a second, so that cache grows for as long as the app runs (~200 KB/s measured at
 * 200×60, 30 fps): a leak in an app meant to stay open all day.
 */

/** The statement in ink/build/measure-text.js that adds to the cache. */
export const UNBOUNDED = "cache.set(text, dimensions);";
/** Entries kept before the cache starts afresh: far more than one screen measures. */
export const MEASURE_CACHE_LIMIT = 4096;
const BOUNDED = `if (cache.size >= ${MEASURE_CACHE_LIMIT}) cache.clear();\n    ${UNBOUNDED}`;
const MEASURE_TEXT = /\/ink\/build\/measure-text\.js$/;

/** Ink's measure-text source with its cache bounded; unchanged if the source is not the expected one. */
export function boundMeasureCache(source: string): string {
  return source.includes(UNBOUNDED) ? source.replace(UNBOUNDED, BOUNDED) : source;
}

export const load: LoadHook = async (url, context, nextLoad) => {
  const result = await nextLoad(url, context);
  if (!MEASURE_TEXT.test(url) || result.source === undefined) return result;
  const source = typeof result.source === "string" ? result.source : new TextDecoder().decode(result.source);
  return { ...result, source: boundMeasureCache(source) };
};
