import { InvalidArgumentError } from "commander";
import { Decimal } from "decimal.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseBands, parsePairs, parsePositiveDecimal } from "../../src/cli/watch-flags.js";
import { MAX_SYNTHETIC_PAIRS } from "../../src/sim/synthetic.js";

describe("--bps and --notional: positive exact decimals", () => {
  it("normalises as decimal.js does, for any digits with or without a fraction", () => {
    const digits = fc.stringMatching(/^\d{1,12}$/);
    fc.assert(
      fc.property(digits, fc.option(digits, { nil: undefined }), (whole, fraction) => {
        const text = fraction === undefined ? whole : `${whole}.${fraction}`;
        const exact = new Decimal(text);
        if (exact.isZero()) expect(() => parsePositiveDecimal(text)).toThrow(InvalidArgumentError);
        else expect(parsePositiveDecimal(` ${text} `)).toBe(exact.toFixed());
      }),
    );
  });

  it("refuses what is not a plain positive decimal", () => {
    for (const bad of ["", "0", "0.000", "-1", "+1", "1e3", ".5", "5.", "1,5", "abc", "1.2.3"])
      expect(() => parsePositiveDecimal(bad), bad).toThrow("expected a decimal number above 0");
  });

  it("keeps a list's order and drops duplicates once normalised", () => {
    expect(parseBands("10,050,2.50,10.0,2.5")).toEqual(["10", "50", "2.5"]);
  });
});

describe("--pairs", () => {
  it("takes a whole number from 1 to the most synthetic pairs, and says the range otherwise", () => {
    expect(parsePairs("1")).toBe(1);
    expect(parsePairs(String(MAX_SYNTHETIC_PAIRS))).toBe(MAX_SYNTHETIC_PAIRS);
    expect(() => parsePairs(String(MAX_SYNTHETIC_PAIRS + 1))).toThrow(
      new InvalidArgumentError(`expected a whole number from 1 to ${MAX_SYNTHETIC_PAIRS}.`),
    );
    expect(() => parsePairs("0")).toThrow("expected a whole number above 0");
  });
});
