/** Kraken's public WebSocket v2 endpoint: the feed's default. */
export const KRAKEN_URL = "wss://ws.kraken.com/v2";

const WANTED = "expected a ws:// or wss:// URL.";

/** Why a value cannot be a feed's exchange URL, or undefined when it can: a ws:// or wss:// URL only. */
export function wsUrlProblem(value: unknown): string | undefined {
  if (typeof value !== "string" || !URL.canParse(value)) return WANTED;
  const { protocol } = new URL(value);
  return protocol === "ws:" || protocol === "wss:" ? undefined : WANTED;
}
