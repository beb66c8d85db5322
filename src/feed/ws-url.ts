/** Why a URL cannot be a feed's exchange URL, or undefined when it can: ws:// or wss:// only. */
export function wsUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "expected a ws:// or wss:// URL.";
  }
  return url.protocol === "ws:" || url.protocol === "wss:" ? undefined : "expected a ws:// or wss:// URL.";
}
