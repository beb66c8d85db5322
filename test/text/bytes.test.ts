import { describe, expect, it } from "vitest";
import { formatBytes } from "../../src/text/bytes.js";

describe("formatBytes", () => {
  it.each([
    [4 * 1024 * 1024, "4 MiB"],
    [1.25 * 1024 * 1024, "1.25 MiB"],
    [257 * 1024 * 1024, "257 MiB"],
    [64 * 1024, "64 KiB"],
    [3 * 2 ** 16, "192 KiB"],
    [1024 * 1024 + 1024, "1025 KiB"],
    [1000, "1000 bytes"],
    [1025, "1025 bytes"],
    [0, "0 bytes"],
  ])("writes %i as %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});
