import { isObject, safeInteger, WireNumber } from "./json.js";
import type { Json, JsonObject } from "./json.js";
import type {
  InstrumentMessage,
  InstrumentPair,
  Message,
  TickerData,
  TickerMessage,
  Trade,
  TradeMessage,
} from "./types.js";

/**
 * The market-context channels (`trade`, `ticker`, `instrument`), read from a lossless parse. Numbers
 * keep their exact wire text (Kraken writes them as bare JSON numbers, `instrument` in exponent
 * notation); extra fields are ignored; a frame missing a field it needs throws ChannelError, which the
 * parser reports as a malformed frame that carried no book data.
 */

/** Thrown only inside protocol/ to carry a complaint about a non-book frame to `parseGeneric`. */
export class ChannelError extends Error {}

/** Longest number text accepted from these channels. */
const MAX_NUMBER_LENGTH = 40;
/** A JSON number as text (a string holding one is accepted too). */
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

export function trade(o: JsonObject): Message {
  const type = snapshotOrUpdate(o, "trade");
  const data = dataArray(o, "trade");
  const trades: Trade[] = data.map((d, i) => {
    const at = `trade frame: data[${i}]`;
    if (!isObject(d)) throw new ChannelError(`${at} is not an object`);
    const side = d["side"];
    if (side !== "buy" && side !== "sell") throw new ChannelError(`${at}.side is not buy or sell`);
    const tradeId = safeInteger(d["trade_id"]);
    if (tradeId === undefined || tradeId < 0)
      throw new ChannelError(`${at}.trade_id is not a non-negative integer`);
    return {
      symbol: symbolOf(d, at),
      side,
      price: number(d["price"], `${at}.price`),
      qty: number(d["qty"], `${at}.qty`),
      ordType: word(d["ord_type"], `${at}.ord_type`),
      tradeId,
      timestamp: word(d["timestamp"], `${at}.timestamp`),
    };
  });
  const msg: TradeMessage = { kind: "trade", type, trades };
  return msg;
}

/** Ticker fields kept, wire name → our name; each is optional (`last` only after a trade in 24 h). */
const TICKER_FIELDS = [
  ["bid", "bid"],
  ["bid_qty", "bidQty"],
  ["ask", "ask"],
  ["ask_qty", "askQty"],
  ["last", "last"],
  ["volume", "volume"],
  ["vwap", "vwap"],
  ["low", "low"],
  ["high", "high"],
  ["change", "change"],
  ["change_pct", "changePct"],
] as const;

export function ticker(o: JsonObject): Message {
  const type = snapshotOrUpdate(o, "ticker");
  const data = dataArray(o, "ticker");
  const tickers: TickerData[] = data.map((d, i) => {
    const at = `ticker frame: data[${i}]`;
    if (!isObject(d)) throw new ChannelError(`${at} is not an object`);
    const out: Record<string, string> = { symbol: symbolOf(d, at) };
    for (const [wire, name] of TICKER_FIELDS) {
      const v = d[wire];
      if (v !== undefined && v !== null) out[name] = number(v, `${at}.${wire}`);
    }
    const ts = d["timestamp"];
    if (typeof ts === "string") out["timestamp"] = ts;
    return out as TickerData;
  });
  const msg: TickerMessage = { kind: "ticker", type, tickers };
  return msg;
}

export function instrument(o: JsonObject): Message {
  const type = snapshotOrUpdate(o, "instrument");
  const data = o["data"];
  if (!isObject(data)) throw new ChannelError("instrument frame: data is not an object");
  const raw = data["pairs"];
  if (raw !== undefined && !Array.isArray(raw))
    throw new ChannelError("instrument frame: data.pairs is not an array");
  const pairs = (raw ?? []) as readonly Json[];
  const out: InstrumentPair[] = pairs.map((p, i) => {
    const at = `instrument frame: pairs[${i}]`;
    if (!isObject(p)) throw new ChannelError(`${at} is not an object`);
    const costMin = optionalNumber(p["cost_min"], `${at}.cost_min`);
    return {
      symbol: symbolOf(p, at),
      status: word(p["status"], `${at}.status`),
      pricePrecision: precision(p["price_precision"], `${at}.price_precision`),
      qtyPrecision: precision(p["qty_precision"], `${at}.qty_precision`),
      priceIncrement: number(p["price_increment"], `${at}.price_increment`),
      qtyIncrement: number(p["qty_increment"], `${at}.qty_increment`),
      qtyMin: optionalNumber(p["qty_min"], `${at}.qty_min`) ?? "",
      ...(costMin === undefined ? {} : { costMin }),
    };
  });
  const msg: InstrumentMessage = { kind: "instrument", type, pairs: out };
  return msg;
}

function snapshotOrUpdate(o: JsonObject, channel: string): "snapshot" | "update" {
  const type = o["type"];
  if (type !== "snapshot" && type !== "update") throw new ChannelError(`${channel} frame: bad type`);
  return type;
}

function dataArray(o: JsonObject, channel: string): readonly Json[] {
  const data = o["data"];
  if (!Array.isArray(data)) throw new ChannelError(`${channel} frame: data is not an array`);
  return data as readonly Json[];
}

function symbolOf(d: JsonObject, at: string): string {
  const s = d["symbol"];
  if (typeof s !== "string" || s === "" || s.length > 64) throw new ChannelError(`${at}.symbol is missing`);
  return s;
}

function word(v: Json | undefined, at: string): string {
  if (typeof v !== "string" || v.length > 64)
    throw new ChannelError(`${at} is missing or not a short string`);
  return v;
}

function precision(v: Json | undefined, at: string): number {
  const n = safeInteger(v);
  if (n === undefined || n < 0 || n > 30) throw new ChannelError(`${at} is not a small integer`);
  return n;
}

function number(v: Json | undefined, at: string): string {
  const text = v instanceof WireNumber ? v.text : typeof v === "string" ? v : undefined;
  if (text === undefined) throw new ChannelError(`${at} is missing or not a number`);
  if (text.length > MAX_NUMBER_LENGTH || !NUMBER.test(text)) throw new ChannelError(`${at} is not a number`);
  return text;
}

function optionalNumber(v: Json | undefined, at: string): string | undefined {
  return v === undefined || v === null ? undefined : number(v, at);
}
