/**
 * Text that came from the network or a file (symbols, reasons, error messages, status words) must not
 * reach a terminal with invisible or control characters in it: an ESC could move the cursor, clear the
 * screen or retitle the window (OSC), a C1 control does the same on terminals that honour 8-bit
 * controls, and a bidi override (U+202E) reorders what the reader sees.
 *
 * "Unsafe" here is every code point in Unicode's Cc (C0, DEL, C1), Cf (format: bidi marks, overrides and
 * isolates, zero-width characters, the BOM, soft hyphen, tags) and Zl/Zp (U+2028, U+2029) categories.
 *
 * - `sanitize` removes them (tabs and line breaks become spaces): for the ladder, where every cell counts.
 * - `escapeUnsafe` shows them as `\u` and four hex digits: for stderr and `verify`, where the reader should see that
 *   something odd was there.
 * - `escapeJson` does the same to JSON text: it stays valid JSON and parses back to the same strings.
 */
const WHITESPACE = /[\t\n\r\v\f\u2028\u2029]/g;
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const HAS_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export function sanitize(text: string): string {
  if (!HAS_UNSAFE.test(text)) return text;
  return text.replace(WHITESPACE, " ").replace(UNSAFE, "");
}

/** Each unsafe code point as `\u` and four hex digits (an astral one as its surrogate pair); other text unchanged. */
export function escapeUnsafe(text: string): string {
  if (!HAS_UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, escapeCodeUnits);
}

/** Unsafe code points other than the line feed that separates NDJSON lines. */
const UNSAFE_IN_JSON = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * JSON text (as JSON.stringify makes it), or NDJSON lines of it joined by "\n", with the unsafe characters
 * JSON.stringify leaves raw (C1, DEL, format characters, U+2028/U+2029) escaped. They can only occur inside
 * string literals, where `\u` and four hex digits means the same character, so each line parses to the same value. A raw
 * line feed cannot occur inside JSON.stringify's output, so it is kept: it separates lines.
 */
export function escapeJson(json: string): string {
  if (!HAS_UNSAFE.test(json)) return json;
  return json.replace(UNSAFE_IN_JSON, escapeCodeUnits);
}

function escapeCodeUnits(match: string): string {
  let out = "";
  for (let i = 0; i < match.length; i++) out += "\\u" + match.charCodeAt(i).toString(16).padStart(4, "0");
  return out;
}
