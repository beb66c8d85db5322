import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";

/** The project root: the built binary runs from here, so relative paths resolve against it. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The `kraken-ladder` command of the packed and installed package (test/helpers/global-setup.ts). */
export const BIN = inject("installedBin");

export type CliResult = { code: number | null; stdout: string; stderr: string };

export type RunCliOptions = {
  /** Written to the child's stdin, which is then closed (stdin is closed at once without it). */
  input?: string;
  /** Kill the child (SIGKILL) after this long; default 15 s. The result then has `code` null. */
  timeoutMs?: number;
  /** The child's whole environment; default this process's environment. */
  env?: NodeJS.ProcessEnv;
};

/** Spawns `node BIN ...args` and resolves once it has exited and its output is drained. */
export function runCli(args: readonly string[], opts: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: opts.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 15_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on("error", () => {
      // The child may exit without reading its input; that is its business.
    });
    child.stdin.end(opts.input ?? "");
  });
}
