import { describe, expect, it } from "vitest";
import { escapeJson, escapeUnsafe, sanitize } from "../../src/text/sanitize.js";

/** Every character a terminal must not see raw: C0, DEL, C1, bidi, zero-width, BOM, separators, a tag. */
const HOSTILE = [
  "\u0000",
  "\u0007",
  "\u001b]0;pwned\u0007",
  "\u001b[2J",
  "\u007f",
  "\u0080",
  "\u009b",
  "\u009d0;title\u009c",
  "\u00ad",
  "\u061c",
  "\u200b",
  "\u200e",
  "\u202a",
  "\u202e",
  "\u2028",
  "\u2029",
  "\u2066",
  "\u2069",
  "\ufeff",
  "\u{e0041}",
];
const RAW_UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

describe("sanitize (the ladder): removes what a terminal would act on", () => {
  it("removes every control and format character and turns tabs and line breaks into spaces", () => {
    for (const h of HOSTILE) expect(sanitize(`a${h}b`)).not.toMatch(RAW_UNSAFE);
    expect(sanitize("a\u001b[31mb\u0007c\u009bd\u202ee\nf\tg\u007f")).toBe("a[31mbcde f g");
    expect(sanitize("x\u2028y")).toBe("x y");
  });

  it("leaves ordinary text alone, non-ASCII included", () => {
    for (const t of ["Currency pair not supported FOO/BAR", "€/ÄÖ", "日本円", "😀 ok"])
      expect(sanitize(t)).toBe(t);
  });
});

describe("escapeUnsafe (stderr, verify): shows what was there as \\uXXXX", () => {
  it("escapes each unsafe code point, astral ones as their surrogate pair", () => {
    expect(escapeUnsafe("a\u001b]0;x\u0007b")).toBe("a\\u001b]0;x\\u0007b");
    expect(escapeUnsafe("\u009b2J\u202eevil")).toBe("\\u009b2J\\u202eevil");
    expect(escapeUnsafe("tag\u{e0041}")).toBe("tag\\udb40\\udc41");
    for (const h of HOSTILE) expect(escapeUnsafe(h)).not.toMatch(RAW_UNSAFE);
  });

  it("leaves ordinary text alone", () => {
    expect(escapeUnsafe("exchange status: maintenance €")).toBe("exchange status: maintenance €");
  });
});

describe("escapeJson (NDJSON, verify --json)", () => {
  it("leaves no raw unsafe character, stays valid JSON and parses back to the same strings", () => {
    const value = { type: "error", message: HOSTILE.join("|"), symbol: "BTC\u202e/USD", n: 1 };
    const plain = JSON.stringify(value);
    // JSON.stringify itself leaves C1, DEL and format characters raw.
    expect(plain).toMatch(RAW_UNSAFE);
    const escaped = escapeJson(plain);
    expect(escaped).not.toMatch(RAW_UNSAFE);
    expect(JSON.parse(escaped)).toEqual(value);
  });

  it("keeps a backslash before an escaped character meaning a backslash", () => {
    const value = { s: "\\\u202e\\u202e" };
    expect(JSON.parse(escapeJson(JSON.stringify(value)))).toEqual(value);
  });

  it("returns JSON without unsafe characters unchanged", () => {
    const json = JSON.stringify({ type: "book", symbol: "BTC/USD", state: "live" });
    expect(escapeJson(json)).toBe(json);
  });
});
