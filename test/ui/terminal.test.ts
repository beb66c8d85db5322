import { describe, expect, it } from "vitest";
import { BEGIN_SYNC, END_SYNC, heldStdout, HOME, homedStdout } from "../../src/ui/terminal.js";

/** A stand-in terminal that records each write it is handed. */
function terminal() {
  const written: string[] = [];
  const stdout = {
    columns: 200,
    write: (chunk: string) => written.push(chunk) > 0,
  } as unknown as NodeJS.WriteStream;
  return { written, stdout: homedStdout(stdout) };
}

describe("the ladder's stdout", () => {
  it("hands a frame bracketed by synchronized output to the terminal in one write, homed", () => {
    const { written, stdout } = terminal();
    stdout.write(BEGIN_SYNC);
    stdout.write("frame one");
    stdout.write(END_SYNC);
    stdout.write(BEGIN_SYNC);
    stdout.write("frame two");
    stdout.write(END_SYNC);
    expect(written).toEqual([
      HOME + BEGIN_SYNC + "frame one" + END_SYNC,
      HOME + BEGIN_SYNC + "frame two" + END_SYNC,
    ]);
  });

  it("homes a write outside a bracket and writes it at once", () => {
    const { written, stdout } = terminal();
    stdout.write("plain");
    expect(written).toEqual([HOME + "plain"]);
  });

  it("writes what was held when no end of the bracket comes in the same task", async () => {
    const { written, stdout } = terminal();
    stdout.write(BEGIN_SYNC);
    stdout.write("half a frame");
    expect(written).toEqual([]);
    await Promise.resolve();
    expect(written).toEqual([HOME + BEGIN_SYNC + "half a frame"]);
  });

  it("keeps the order when a write with a callback comes inside a bracket", () => {
    const { written, stdout } = terminal();
    const done = (): void => undefined;
    stdout.write(BEGIN_SYNC);
    stdout.write("frame", done);
    stdout.write(END_SYNC);
    expect(written).toEqual([HOME + BEGIN_SYNC, HOME + "frame", HOME + END_SYNC]);
  });
});

describe("the ladder's stdout while suspended", () => {
  it("writes nothing while held, calls a write's callback all the same, and writes again once released", async () => {
    const written: string[] = [];
    const raw = {
      columns: 200,
      write: (chunk: string) => written.push(chunk) > 0,
    } as unknown as NodeJS.WriteStream;
    let held = true;
    const stdout = heldStdout(raw, () => held);
    expect(stdout.columns).toBe(200);
    let called = false;
    expect(stdout.write("frame drawn while suspended", () => (called = true))).toBe(true);
    expect(written).toEqual([]);
    await Promise.resolve();
    expect(called).toBe(true);
    held = false;
    stdout.write("frame after");
    expect(written).toEqual(["frame after"]);
  });
});
