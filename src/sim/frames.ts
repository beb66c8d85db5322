/**
 * Every frame the simulator writes, as text in Kraken's own layout and key order (replies to
 * requests list their keys alphabetically, as Kraken's do).
 */

export type ReqId = number | undefined;

const reqIdPart = (reqId: ReqId): string => (reqId === undefined ? "" : `,"req_id":${reqId}`);
const times = (timeIn: string, timeOut: string): string => `,"time_in":"${timeIn}","time_out":"${timeOut}"`;

export function statusFrame(connectionId: string, system = "online"): string {
  return `{"channel":"status","type":"update","data":[{"version":"2.0.10","system":"${system}","api_version":"v2","connection_id":${connectionId}}]}`;
}

export const HEARTBEAT = `{"channel":"heartbeat"}`;

export type AckResult =
  | { readonly channel: "book"; readonly symbol: string; readonly depth: number; readonly snapshot?: boolean }
  | { readonly channel: "trade"; readonly symbol: string; readonly snapshot?: boolean }
  | {
      readonly channel: "ticker";
      readonly symbol: string;
      readonly trigger: string;
      readonly snapshot?: boolean;
    }
  | { readonly channel: "instrument"; readonly snapshot?: boolean };

function ackBody(result: AckResult): string {
  const snap = result.snapshot === undefined ? "" : `,"snapshot":${result.snapshot}`;
  switch (result.channel) {
    case "book":
      return `{"channel":"book","depth":${result.depth}${snap},"symbol":${JSON.stringify(result.symbol)}}`;
    case "trade":
      return `{"channel":"trade"${snap},"symbol":${JSON.stringify(result.symbol)}}`;
    case "ticker":
      return `{"channel":"ticker","event_trigger":${JSON.stringify(result.trigger)}${snap},"symbol":${JSON.stringify(result.symbol)}}`;
    case "instrument":
      return `{"channel":"instrument"${snap}}`;
    default:
      return result satisfies never;
  }
}

/** A successful subscribe or unsubscribe, one per symbol. */
export function ackFrame(
  method: "subscribe" | "unsubscribe",
  reqId: ReqId,
  result: AckResult,
  timeIn: string,
  timeOut: string,
): string {
  return `{"method":"${method}"${reqIdPart(reqId)},"result":${ackBody(result)},"success":true${times(timeIn, timeOut)}}`;
}

/**
 * A failed request: `{"error":…,"method":…,"req_id":…,"success":false,"symbol":…,"time_in":…,"time_out":…}`.
 * An unknown pair names its symbol; an unsupported depth does not.
 */
export function errorFrame(
  error: string,
  method: string | undefined,
  reqId: ReqId,
  symbol: string | undefined,
  timeIn: string,
  timeOut: string,
): string {
  const m = method === undefined ? "" : `,"method":${JSON.stringify(method)}`;
  const s = symbol === undefined ? "" : `,"symbol":${JSON.stringify(symbol)}`;
  return `{"error":${JSON.stringify(error)}${m}${reqIdPart(reqId)},"success":false${s}${times(timeIn, timeOut)}}`;
}

export function pongFrame(reqId: ReqId, timeIn: string, timeOut: string): string {
  return `{"method":"pong"${reqIdPart(reqId)}${times(timeIn, timeOut)}}`;
}

/** A book frame from pre-rendered level lists (`{"price":…,"qty":…}` joined by commas). */
export function bookFrame(
  type: "snapshot" | "update",
  symbol: string,
  bids: string,
  asks: string,
  checksum: number,
  timestamp: string,
): string {
  return `{"channel":"book","type":"${type}","data":[{"symbol":${JSON.stringify(symbol)},"bids":[${bids}],"asks":[${asks}],"checksum":${checksum},"timestamp":"${timestamp}"}]}`;
}
