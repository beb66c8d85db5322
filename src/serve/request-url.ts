import type { IncomingMessage } from "node:http";

/**
 * A request's target as a URL, or undefined when it is not one (answered 400). A target starting with
 * `/` is a path, all of it: `//symbols` is the path `//symbols` (unknown), not a URL naming the host
 * `symbols`, as `new URL(target, base)` reads it.
 */
export function requestUrl(req: IncomingMessage): URL | undefined {
  const target = req.url ?? "/";
  try {
    return target.startsWith("/")
      ? new URL(`http://localhost${target}`)
      : new URL(target, "http://localhost");
  } catch {
    return undefined;
  }
}
