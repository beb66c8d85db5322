import { crc32 } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checksumText } from "../../src/book/checksum.js";
import {
  appendCrc,
  appendToInit,
  feedWire,
  finishCrc,
  shifted,
  shiftTable,
} from "../../src/book/crc-combine.js";

const measured = { length: 0 };
/** Raw register (from zero) of a wire number's checksum text, and that text. */
const raw = (wire: string): { crc: number; text: string } => {
  const crc = feedWire(0, wire, measured);
  const text = checksumText(wire);
  expect(measured.length).toBe(text.length);
  return { crc, text };
};

const wire = fc
  .tuple(fc.stringMatching(/^(0|[1-9][0-9]{0,9})$/), fc.stringMatching(/^[0-9]{0,12}$/))
  .map(([int, frac]) => (frac === "" ? int : `${int}.${frac}`));

describe("CRC combination", () => {
  it("gives the CRC-32 of a concatenation from its parts' raw registers, at any lengths", () => {
    fc.assert(
      fc.property(fc.array(wire, { minLength: 1, maxLength: 40 }), (parts) => {
        // As the book does: the first part from CRC_INIT, each next one appended with its shift.
        const [first, ...rest] = parts.map(raw);
        let register = appendToInit(first!.crc, first!.text.length);
        let text = first!.text;
        for (const part of rest) {
          const viaTable = shifted(shiftTable(part.text.length), register) ^ part.crc;
          register = appendCrc(register, part.crc, part.text.length);
          expect(viaTable).toBe(register);
          text += part.text;
        }
        expect(finishCrc(register)).toBe(crc32(text));
      }),
      { numRuns: 300 },
    );
  });

  it("shifts by any length as that many zero bytes would", () => {
    const zeros = (n: number): string => "\0".repeat(n);
    for (const n of [0, 1, 2, 3, 7, 8, 63, 64, 255, 256, 513, 700, 1023]) {
      // CRC-32 of "a" then n zero bytes, from the register after "a".
      const afterA = ~crc32("a") | 0;
      expect(finishCrc(appendCrc(afterA, 0, n)), String(n)).toBe(crc32("a" + zeros(n)));
    }
  });
});
