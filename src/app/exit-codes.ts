/**
 * The exit codes of every command, in one place (cli/ and app/ both read them, so they live below
 * cli/): 0 a clean run or a stop asked for (a signal, q, --duration); 1 a failure at run time (a feed
 * that died, a checksum mismatch, a recording cut short); 2 bad usage (a bad flag or value, an unknown
 * command or symbol, a file that cannot be read).
 */
export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

/** The code for several outcomes of one run: the worst of them (usage over failure over ok). */
export function worstExitCode(...codes: readonly number[]): number {
  return codes.reduce((worst, code) => Math.max(worst, code), EXIT.OK);
}
