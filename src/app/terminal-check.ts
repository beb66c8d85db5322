type Env = { readonly [name: string]: string | undefined };

/**
 * Why the full-screen ladder cannot run here, or undefined when it can: it reads keys from stdin, which must
 * be a terminal, and draws with cursor movement, which a `TERM=dumb` terminal does not have. Checked before
 * anything starts, so the answer is one line and exit 2 instead of a stack trace from Ink.
 */
export function terminalProblem(stdin: { readonly isTTY?: boolean }, env: Env): string | undefined {
  if (env["TERM"] === "dumb")
    return "TERM=dumb: this terminal cannot draw the full-screen ladder; use --json to stream NDJSON instead.";
  if (stdin.isTTY !== true)
    return "the ladder reads keys from stdin, which is not a terminal; use --json to stream NDJSON instead, or run it in a terminal.";
  return undefined;
}
