import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { BIN } from "../../helpers/run-cli.js";

export { BIN };

/** The installed binary (test/helpers/global-setup.ts) with stdout and stderr piped (so stdout is not a TTY: NDJSON mode). */
export type Run = {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Parsed NDJSON lines so far (complete lines only). */
  readonly lines: () => Record<string, unknown>[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** `fileSizeLimitKiB`: run under the shell's `ulimit -f` (writes past it are short, then fail with EFBIG). */
export function runBin(args: readonly string[], options: { readonly fileSizeLimitKiB?: number } = {}): Run {
  const stdio = ["ignore", "pipe", "pipe"] as const;
  const limit = options.fileSizeLimitKiB;
  const child =
    limit === undefined
      ? spawn(process.execPath, [BIN, ...args], { stdio: [...stdio] })
      : spawn("bash", ["-c", `ulimit -f ${limit} && exec "$@"`, "bash", process.execPath, BIN, ...args], {
          stdio: [...stdio],
        });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    lines: () =>
      out
        .split("\n")
        .slice(0, -1)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    exit,
  };
}

/** Polls until `probe` is true; rejects after `ms`. */
export async function until(probe: () => boolean, what: string, ms = 15_000): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills a child still running at the end of a test. */
export function reap(run: Run | undefined): void {
  if (run !== undefined && run.child.exitCode === null && run.child.signalCode === null)
    run.child.kill("SIGKILL");
}
