import { createServer, connect } from "node:net";
import type { Server, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openFileLimit, SPARE_FILES, watchOpenFiles } from "../../src/serve/fd-watch.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function listening(): Promise<number> {
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function open(port: number, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = connect(port, "127.0.0.1");
    sockets.push(s);
    await new Promise((resolve) => s.once("connect", resolve));
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe("the open-file limit", () => {
  it("is read from /proc/self/limits' soft column; none when unlimited or not there", () => {
    expect(openFileLimit(LIMITS)).toBe(1024);
    expect(openFileLimit(LIMITS.replace("1024       ", "unlimited  "))).toBeUndefined();
    expect(openFileLimit("")).toBeUndefined();
    if (process.platform === "linux") expect(openFileLimit()).toBeGreaterThan(0);
  });

  it("is said once when connections come within SPARE_FILES of it, and again only after they fell well below", async () => {
    const port = await listening();
    const notes: string[] = [];
    watchOpenFiles(server!, SPARE_FILES + 3, (m) => notes.push(m));
    await open(port, 2);
    await settle();
    expect(notes).toEqual([]);
    await open(port, 2);
    await settle();
    expect(notes).toEqual([
      `3 connections are open, near the open-file limit of ${SPARE_FILES + 3} (ulimit -n): connections past it are closed unanswered; raise the limit before starting serve (ulimit -n 65536)`,
    ]);
    // One closes, another opens: still near, not said again.
    sockets.shift()?.destroy();
    await settle();
    await open(port, 1);
    await settle();
    expect(notes).toHaveLength(1);
    // All gone (well below), then near again: said again.
    for (const s of sockets.splice(0)) s.destroy();
    await settle();
    await open(port, 3);
    await settle();
    expect(notes).toHaveLength(2);
  });

  it("watches nothing without a limit", async () => {
    const port = await listening();
    const notes: string[] = [];
    watchOpenFiles(server!, undefined, (m) => notes.push(m));
    await open(port, 3);
    await settle();
    expect(notes).toEqual([]);
  });
});
