import { describe, expect, it } from "vitest";
import { at, Literal } from "../../src/protocol/literal.js";

const text = '{"channel":"book","type":"update","data":[{"symbol":"';
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);

function frame(offset: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(offset + text.length + 16).fill(0x41);
  bytes.set(encode(text), offset);
  return { bytes, view: new DataView(bytes.buffer) };
}

describe("Literal: 8-byte windows compared as doubles", () => {
  const literal = new Literal(text);

  it("matches the literal wherever it stands, and not one byte off", () => {
    for (const offset of [0, 1, 3, 7, 8, 13]) {
      const { view } = frame(offset);
      expect(at(view, offset, literal)).toBe(true);
      expect(at(view, offset + 1, literal)).toBe(false);
      if (offset > 0) expect(at(view, offset - 1, literal)).toBe(false);
    }
  });

  it("rejects every change of any one byte to any other value, NaN and zero patterns included", () => {
    const { bytes, view } = frame(5);
    for (let i = 0; i < text.length; i++) {
      const original = bytes[5 + i]!;
      for (let v = 0; v < 256; v++) {
        if (v === original) continue;
        bytes[5 + i] = v;
        if (at(view, 5, literal)) throw new Error(`matched with byte ${i} = ${v}`);
      }
      bytes[5 + i] = original;
    }
    expect(at(view, 5, literal)).toBe(true);
  });

  it("rejects windows holding NaN, infinity, zero and negative zero", () => {
    const { view } = frame(0);
    for (const x of [NaN, Infinity, -Infinity, 0, -0, 5e-324]) {
      for (let k = 0; k + 8 <= text.length; k += 8) {
        const { view: fresh } = frame(0);
        fresh.setFloat64(k, x, true);
        expect(at(fresh, 0, literal)).toBe(false);
      }
    }
    expect(at(view, 0, literal)).toBe(true);
  });

  it("refuses literals it cannot compare exactly", () => {
    expect(() => new Literal("short")).toThrow();
    expect(() => new Literal("caf\u00e9 au lait")).toThrow();
    expect(() => new Literal("tab\there!")).toThrow();
  });
});
