import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { requestUrl } from "./request-url.js";

/**
 * Checks `Authorization: Bearer <token>`, or a `token` query parameter (a browser's EventSource cannot
 * send headers: the web page passes its own `?token=` on to `/stream`), in constant time: both sides
 * are hashed first, so neither the token's length nor its content shows in the time taken.
 */
export function bearerChecker(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer[ ]+(.+)$/i.exec(header);
    const given = match?.[1]?.trim() ?? requestUrl(req)?.searchParams.get("token") ?? null;
    return timingSafeEqual(digest(given ?? ""), expected) && given !== null;
  };
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Whether a host to bind is loopback only (anything else needs a token or an explicit --no-auth). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}
