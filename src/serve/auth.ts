import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { requestUrl } from "./request-url.js";

/**
 * Where a request's token came from when it was refused: none at all, the `Authorization` header, or the
 * `token` query parameter: `query-plus` when it was written with a `+` not percent-encoded (the one
 * refusal whose cause may be how the token was written: see unauthorisedMessage and queryRefusal).
 */
export type Refusal = "none" | "header" | "query" | "query-plus";

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
    const url = requestUrl(req);
    const given = fromHeader ?? url?.searchParams.get("token") ?? null;
    if (timingSafeEqual(digest(given ?? ""), expected) && given !== null) return undefined;
    if (given === null) return "none";
    return fromHeader === undefined && url !== undefined ? queryRefusal(url) : "header";
  };
}

/**
 * How a refused `?token=` was written. A query string is read URL-decoded, so a `+` written as it is
 * reads as a space, which no token holds (serve refuses such a token): `query-plus`, the token was
 * not percent-encoded and that may be why it is not the one. Anything else (`wrong`, `a%2Bb`) is just
 * another token: `query`. A `%` is taken as percent-encoding, as `encodeURIComponent` writes it. The
 * token read is the first `token` parameter, as `searchParams.get` reads it.
 */
export function queryRefusal(url: URL): "query" | "query-plus" {
  for (const part of url.search.slice(1).split("&")) {
    if (!new URLSearchParams(part).has("token")) continue;
    const eq = part.indexOf("=");
    return eq >= 0 && part.includes("+", eq + 1) ? "query-plus" : "query";
  }
  return "query";
}

/**
 * The 401's message. A token in a query string is read URL-decoded, so one typed into a URL as it is
 * (`?token=a+b/c=`) arrives changed (`+` is a space); the hint says so, and nothing of the real token,
 * only when that may be the cause (`query-plus`): a token written without a `+`, or percent-encoded, is
 * just not the one (serve was started again with another, say).
 */
export function unauthorisedMessage(refusal: Refusal): string {
  const base = "unauthorised: send Authorization: Bearer <token>";
  switch (refusal) {
    case "query":
      return `${base}; the ?token= given is not it`;
    case "query-plus":
      return `${base}; the ?token= given is not it (in a URL, percent-encode the token: a + there reads as a space, %2B is a +)`;
    default:
      return base;
  }
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Whether a host to bind is loopback only (anything else needs a token or an explicit --no-auth). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}
