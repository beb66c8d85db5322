import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { plainVerifyArgs } from "../../src/cli/verify-args.js";

/** What commander makes of `kraken-ladder ...args` when it runs verify; undefined when it runs anything else. */
async function commanderVerify(
  args: readonly string[],
): Promise<{ files: string[]; flags: object } | undefined> {
  const program = buildProgram();
  let seen: { files: string[]; flags: object } | undefined;
  const quiet = { writeOut: (): void => undefined, writeErr: (): void => undefined };
  program.configureOutput(quiet);
  for (const sub of program.commands) sub.configureOutput(quiet);
  program.commands
    .find((c) => c.name() === "verify")!
    .action((files: string[], flags: object) => {
      seen = { files, flags };
    });
  program.action(() => undefined);
  try {
    await program.parseAsync(["node", "kraken-ladder", ...args]);
  } catch {
    return undefined;
  }
  return seen;
}

describe("plainVerifyArgs: verify's arguments without commander", () => {
  it("parses plain invocations exactly as commander does", async () => {
    const cases = [
      ["verify", "a.jsonl"],
      ["verify", "a.jsonl", "b.jsonl", "--json"],
      ["verify", "--depth", "1000", "a.jsonl", "--json"],
      ["verify", "a.jsonl", "--depth=25", "--depth", "10"],
      ["verify", "--json", "--json", "", "a"],
    ];
    for (const args of cases) {
      const plain = plainVerifyArgs(args);
      expect(plain, args.join(" ")).toBeDefined();
      expect(plain).toEqual(await commanderVerify(args));
    }
  });

  it("leaves everything else to commander: help, errors, other commands, flags it does not know", () => {
    const cases = [
      [],
      ["verify"],
      ["verify", "--help"],
      ["verify", "-h", "a"],
      ["verify", "--depth", "7", "a"],
      ["verify", "a", "--depth"],
      ["verify", "--depth=", "a"],
      ["verify", "--bogus", "a"],
      ["verify", "--", "a"],
      ["verify", "-", "a"],
      ["verify", "--json=1", "a"],
      ["--json", "verify", "a"],
      ["simulate"],
      ["BTC/USD"],
    ];
    for (const args of cases) expect(plainVerifyArgs(args), args.join(" ")).toBeUndefined();
  });

  it("agrees with commander on any mix of files and flags, valid or not", async () => {
    const token = fc.constantFrom(
      "a.jsonl",
      "b",
      "",
      "--json",
      "--depth",
      "10",
      "1000",
      "7",
      "010",
      "--depth=25",
      "--depth=x",
      "-",
      "--",
      "-h",
      "--help",
      "--bogus",
      "--json=1",
      "verify",
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 6 }), async (rest) => {
        const args = ["verify", ...rest];
        const plain = plainVerifyArgs(args);
        // Whatever it parses, commander parses the same; whatever commander rejects, it leaves alone.
        if (plain !== undefined) expect(plain).toEqual(await commanderVerify(args));
      }),
      { numRuns: 400 },
    );
  });
});
