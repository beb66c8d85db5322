import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeUnsafe } from "../text/sanitize.js";

/**
 * Cross-origin reads (`serve --cors`). A browser page of another origin (a dashboard on
 * http://localhost:3000, a Grafana panel) may read what serve answers only when the answer names its
 * origin in `Access-Control-Allow-Origin`; a request that carries a header of its own (`Authorization`
 * with `--token`) is first asked by an `OPTIONS` preflight. Without `--cors` no answer names any origin,
 * and the operator is told once per origin that a page was refused and what would let it in.
 */
export type CorsOrigins = "*" | readonly string[];

/** The methods served, as a 405 and a preflight name them. */
export const METHODS = "GET, HEAD";

/** What a preflight may ask to send: the token, and the id an EventSource resumes from. */
const ALLOWED_HEADERS = "Authorization, Last-Event-ID";
/** Answer headers a page may read besides the safelisted ones: when to ask again, how to authenticate. */
const EXPOSED_HEADERS = "Retry-After, WWW-Authenticate";
/** How long a browser may keep a preflight's answer. */
const MAX_AGE_S = 600;
/** Origins told about at most once each; past this many, no more are remembered or told. */
const TOLD_AT_MOST = 100;

/** What `serve` does about origins: the headers of every answer, preflights, and the note to the operator. */
export class Cors {
  private readonly told = new Set<string>();

  constructor(
    private readonly allowed: CorsOrigins | undefined,
    private readonly note: (message: string) => void,
  ) {}

  /**
   * Sets the answer's cross-origin headers for the request's `Origin`. Without `--cors`, a page of another
   * origin asking is told about (once per origin) and gets none.
   */
  headers(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (Array.isArray(this.allowed)) res.setHeader("vary", "Origin");
    if (origin === undefined) return;
    if (this.allows(origin)) {
      res.setHeader("access-control-allow-origin", this.allowed === "*" ? "*" : origin);
      res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
    } else if (!sameOrigin(req, origin)) this.tell(origin, req.url ?? "/");
  }

  /**
   * Answers a preflight (`OPTIONS` with `Access-Control-Request-Method`) and returns true; false for any
   * other request. An origin not allowed gets 403 saying so (its page sees only that the read failed).
   */
  preflight(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (
      req.method !== "OPTIONS" ||
      origin === undefined ||
      req.headers["access-control-request-method"] === undefined
    )
      return false;
    if (!this.allows(origin)) {
      const body = JSON.stringify({ error: this.refusal(origin) });
      res.writeHead(403, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(body);
      return true;
    }
    res.writeHead(204, {
      "access-control-allow-methods": METHODS,
      "access-control-allow-headers": ALLOWED_HEADERS,
      "access-control-max-age": String(MAX_AGE_S),
    });
    res.end();
    return true;
  }

  private allows(origin: string): boolean {
    return this.allowed === "*" || (this.allowed !== undefined && this.allowed.includes(origin));
  }

  private refusal(origin: string): string {
    const shown = JSON.stringify(origin.slice(0, 200));
    // A page opened from a file, or sandboxed, sends the origin "null", which no list can name: only * lets it in.
    if (this.allowed === undefined) {
      const fix = origin === "null" ? "--cors '*'" : `--cors ${origin.slice(0, 200)} (or --cors '*')`;
      return `a page of origin ${shown} may not read this server: start serve with ${fix}`;
    }
    const listed = `origin ${shown} is not one --cors allows (${[this.allowed].flat().join(", ")})`;
    return origin === "null" ? `${listed}: only --cors '*' lets in a page opened from a file` : listed;
  }

  private tell(origin: string, path: string): void {
    if (this.told.has(origin) || this.told.size >= TOLD_AT_MOST) return;
    this.told.add(origin);
    this.note(
      escapeUnsafe(
        `${this.refusal(origin)}; it asked for ${path.slice(0, 200)}, and its browser will not show it the answer`,
      ),
    );
  }
}

/** Whether `Origin` is this server's own (as a page served by it sends on some requests). */
function sameOrigin(req: IncomingMessage, origin: string): boolean {
  const host = req.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}
