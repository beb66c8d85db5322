import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { requestUrl } from "./request-url.js";

/**
 * Where a request's token came from when it was refused: none at all, the `Authorization` header, or the
 * `token` query parameter (whose refusal is worth a hint: see unauthorisedMessage).
 */
export type Refusal = "none" | "header" | "query";

/**
 * Checks `Authorization: Bearer <token>`, or a `token` query parameter (a browser's EventSource cannot
 * send headers: the web page passes its own `?token=` on to `/stream`), in constant time: both sides
 * are hashed first, so neither the token's length nor its content shows in the time taken. Undefined
 * when the request carries the token, else where the token it carried came from.
 */
export function bearerChecker(token: string): (req: IncomingMessage) => Refusal | undefined {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer[ ]+(.+)$/i.exec(header);
    const fromHeader = match?.[1]?.trim();
    const given = fromHeader ?? requestUrl(req)?.searchParams.get("token") ?? null;
    if (timingSafeEqual(digest(given ?? ""), expected) && given !== null) return undefined;
    return given === null ? "none" : fromHeader === undefined ? "query" : "header";
  };
}

/**
 * The 401's message. A token in a query string is read URL-decoded, so one typed into a URL as it is
 * (`?token=a+b/c=`) arrives changed (`+` is a space); the hint says so, and nothing of the real token.
 */
export function unauthorisedMessage(refusal: Refusal): string {
  const base = "unauthorised: send Authorization: Bearer <token>";
  return refusal === "query"
    ? `${base}; the ?token= given is not it (in a URL, percent-encode the token: a + there reads as a space, %2B is a +)`
    : base;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Whether a host to bind is loopback only (anything else needs a token or an explicit --no-auth). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}
