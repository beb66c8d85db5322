import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { get } from "node:http";
import type { IncomingMessage } from "node:http";
import { BIN, ROOT } from "../helpers/run-cli.js";

/** A `kraken-ladder serve` child of the installed binary, once it has printed its URL. */
export type Served = {
  readonly url: string;
  readonly child: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code (null when it had to be killed after `killAfterMs`). */
  exited(killAfterMs?: number): Promise<number | null>;
};

/** `openFiles`: the child's open-file limit (`ulimit -n`, set by a shell that then becomes the child). */
export async function serve(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  openFiles?: number,
): Promise<Served> {
  const argv = [BIN, "serve", ...args];
  const child =
    openFiles === undefined
      ? spawn(process.execPath, argv, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] })
      : spawn("bash", ["-c", `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, ...argv], {
          cwd: ROOT,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (c: string) => {
      stdout += c;
      const nl = stdout.indexOf("\n");
      if (nl >= 0) resolve(stdout.slice(0, nl));
    });
    void exit.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return {
    url,
    child,
    stderr: () => stderr,
    exited: (killAfterMs = 10_000) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      return exit.finally(() => clearTimeout(timer));
    },
  };
}

export type Reply = {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
};

export function request(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on("error", reject);
  });
}

export async function json(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Data }> {
  const r = await request(url, headers);
  return { status: r.status, body: JSON.parse(r.body) as Data };
}

type Level = { readonly price: string; readonly qty: string };

/** What the JSON bodies and event data of these tests hold (as far as they look). */
export type Data = {
  readonly symbol: string;
  readonly state: string;
  readonly version: number;
  readonly scope?: string;
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
  readonly checksum?: number;
  readonly checksums: { readonly ok: number; readonly failed: number };
  readonly symbols?: readonly Data[];
  readonly [key: string]: unknown;
};

export type SseEvent = { readonly event: string; readonly id?: string; readonly data: Data };

/** An SSE client that parses events as they come. */
export class SseReader {
  readonly events: SseEvent[] = [];
  private buffer = "";
  private waiters: (() => void)[] = [];
  ended = false;
  private res: IncomingMessage | undefined;

  /** The stream's answer headers. */
  get headers(): IncomingMessage["headers"] {
    return this.res?.headers ?? {};
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const reader = new SseReader();
    return new Promise((resolve, reject) => {
      get(url, { headers }, (res) => {
        reader.res = res;
        res.setEncoding("utf8");
        res.on("data", (c: string) => reader.feed(c));
        res.on("close", () => {
          reader.ended = true;
          reader.wake();
        });
        resolve(reader);
      }).on("error", reject);
    });
  }

  /** Waits until `test` holds for the events so far (or the stream ends). */
  async until(
    test: (events: readonly SseEvent[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<readonly SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (!test(this.events)) {
      if (this.ended) throw new Error(`stream ended: ${JSON.stringify(this.events.slice(-3))}`);
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(this.events.slice(-3))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.events;
  }

  close(): void {
    this.res?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end;
    while ((end = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = "message";
      let id: string | undefined;
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (data !== "")
        this.events.push({ event, ...(id === undefined ? {} : { id }), data: JSON.parse(data) as Data });
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
