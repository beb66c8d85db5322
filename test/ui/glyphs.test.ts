import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { asciiStdout, GLYPHS, toAscii } from "../../src/ui/glyphs.js";
import { ROOT } from "../helpers/run-cli.js";

/** Every non-ASCII character in the ladder's source code, outside comments, with the file it is in. */
function glyphsInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const dir = join(ROOT, "src", "ui");
  for (const file of readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) =>
    /\.tsx?$/.test(f),
  )) {
    if (file === "glyphs.ts") continue;
    const code = readFileSync(join(dir, file), "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
    for (const c of code.match(/[^\p{ASCII}]/gu) ?? []) if (!found.has(c)) found.set(c, file);
  }
  return found;
}

describe("the glyph table", () => {
  it("holds every glyph the ladder's code draws", () => {
    const table = new Set(GLYPHS.map((g) => g.unicode));
    // The scan finds what the ladder draws (state glyphs, bars, arrows …), so it can fail.
    expect(glyphsInSource().size).toBeGreaterThan(20);
    const missing = [...glyphsInSource()].filter(([c]) => !table.has(c)).map(([c, file]) => `${c} (${file})`);
    expect(missing).toEqual([]);
  });

  it("gives each glyph one printable ASCII character, and lists each glyph once", () => {
    for (const g of GLYPHS) {
      expect(g.unicode, g.use).toHaveLength(1);
      expect(g.ascii, g.unicode).toMatch(/^[\x21-\x7e]$/);
    }
    expect(new Set(GLYPHS.map((g) => g.unicode)).size).toBe(GLYPHS.length);
  });

  it("turns a frame to ASCII with the same width: glyphs by the table, other text by ?", () => {
    expect(toAscii("▶1 BTC/USD ● live  ✓12 ✗0 │ ◌ connecting…")).toBe(
      ">1 BTC/USD * live  +12 x0 | . connecting~",
    );
    expect(toAscii("\u001b[1m███▌\u001b[22m")).toBe("\u001b[1m###=\u001b[22m");
    // Server text: a wide character takes two cells, a combining mark none.
    expect(toAscii("é 価 e\u0301")).toBe("? ?? e");
    const plain = "nothing to change";
    expect(toAscii(plain)).toBe(plain);
  });

  it("asciiStdout translates what is written and passes everything else through", () => {
    const written: unknown[] = [];
    const stream = { columns: 80, write: (chunk: unknown): boolean => (written.push(chunk), true) };
    const ascii = asciiStdout(stream);
    ascii.write("● live");
    const bytes = Buffer.from("x");
    ascii.write(bytes);
    expect(written).toEqual(["* live", bytes]);
    expect(ascii.columns).toBe(80);
  });
});
