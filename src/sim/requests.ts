/**
 * What a client asked for: the server's parsing boundary. Requests are small and their numbers
 * need no exact text, so plain JSON.parse is enough here; anything odd becomes a `bad` request
 * that gets an error reply, never an exception.
 */

import type { TickerTrigger } from "./source.js";

export type BookRequest = {
  readonly kind: "subscribe" | "unsubscribe";
  readonly reqId: number | undefined;
  readonly channel: "book";
  readonly symbols: readonly string[];
  /** As sent (Kraken's default is 10); may be a depth Kraken does not offer. */
  readonly depth: number;
  readonly snapshot: boolean;
};

export type TradeRequest = {
  readonly kind: "subscribe" | "unsubscribe";
  readonly reqId: number | undefined;
  readonly channel: "trade";
  readonly symbols: readonly string[];
  /** Kraken's default for `trade` is false. */
  readonly snapshot: boolean;
};

export type TickerRequest = {
  readonly kind: "subscribe" | "unsubscribe";
  readonly reqId: number | undefined;
  readonly channel: "ticker";
  readonly symbols: readonly string[];
  readonly snapshot: boolean;
  readonly trigger: TickerTrigger;
};

export type InstrumentRequest = {
  readonly kind: "subscribe" | "unsubscribe";
  readonly reqId: number | undefined;
  readonly channel: "instrument";
  readonly snapshot: boolean;
};

export type ClientRequest =
  | BookRequest
  | TradeRequest
  | TickerRequest
  | InstrumentRequest
  | { readonly kind: "ping"; readonly reqId: number | undefined }
  | {
      readonly kind: "bad";
      readonly error: string;
      readonly method: string | undefined;
      readonly reqId: number | undefined;
    };

type Obj = { readonly [key: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The method a request named, for error replies (undefined when it named none). */
export function methodOf(req: ClientRequest): string | undefined {
  return req.kind === "bad" ? req.method : req.kind;
}

/**
 * Parses one request. A book request naming more than `maxSymbols` symbols is one `bad` request,
 * so it gets one error reply, not one per symbol.
 */
export function parseRequest(text: string, maxSymbols = Infinity): ClientRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "bad", error: "Malformed request: invalid JSON", method: undefined, reqId: undefined };
  }
  if (!isObj(json)) return { kind: "bad", error: "Malformed request", method: undefined, reqId: undefined };
  const rawReq = json["req_id"];
  const reqId = typeof rawReq === "number" && Number.isSafeInteger(rawReq) ? rawReq : undefined;
  const method = json["method"];
  const bad = (error: string): ClientRequest => ({
    kind: "bad",
    error,
    method: typeof method === "string" ? method : undefined,
    reqId,
  });
  if (rawReq !== undefined && reqId === undefined) return bad("req_id must be an integer");
  if (method === "ping") return { kind: "ping", reqId };
  if (method !== "subscribe" && method !== "unsubscribe") {
    return bad(typeof method === "string" ? `Method not supported: ${method}` : "Method field is required");
  }
  const params = json["params"];
  if (!isObj(params)) return bad("Params field is required");
  const channel = params["channel"];
  const snapshotRaw = params["snapshot"];
  if (snapshotRaw !== undefined && typeof snapshotRaw !== "boolean")
    return bad("Snapshot field must be a boolean");
  if (channel === "instrument") return { kind: method, reqId, channel, snapshot: snapshotRaw !== false };
  if (channel !== "book" && channel !== "trade" && channel !== "ticker") {
    return bad(
      typeof channel === "string" ? `Channel ${channel} not supported` : "Channel field is required",
    );
  }
  const symbols = params["symbol"];
  if (!Array.isArray(symbols)) return bad("Symbol field must be an array");
  if (symbols.length === 0 || !symbols.every((s) => typeof s === "string")) {
    return bad("Symbol field must be a non-empty array of strings");
  }
  if (symbols.length > maxSymbols) {
    return bad(`Too many symbols: ${symbols.length} in one request, at most ${maxSymbols}`);
  }
  if (channel === "trade") return { kind: method, reqId, channel, symbols, snapshot: snapshotRaw === true };
  if (channel === "ticker") {
    const trigger = params["event_trigger"] ?? "trades";
    if (trigger !== "trades" && trigger !== "bbo") return bad("Event_trigger must be trades or bbo");
    return { kind: method, reqId, channel, symbols, snapshot: snapshotRaw !== false, trigger };
  }
  const depth = params["depth"] ?? 10;
  if (typeof depth !== "number") return bad("Depth field must be an integer");
  return { kind: method, reqId, channel, symbols, depth, snapshot: snapshotRaw !== false };
}
