/** Request builders: the only place outgoing frames are written. */

export type BookSubscription = {
  readonly symbols: readonly string[];
  readonly depth: number;
  readonly reqId?: number;
};

export function subscribeBook({ symbols, depth, reqId }: BookSubscription): string {
  return JSON.stringify({
    method: "subscribe",
    params: { channel: "book", symbol: symbols, depth, snapshot: true },
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

/** Kraken requires an unsubscribe to repeat the subscribed depth. */
export function unsubscribeBook({ symbols, depth, reqId }: BookSubscription): string {
  return JSON.stringify({
    method: "unsubscribe",
    params: { channel: "book", symbol: symbols, depth },
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

export function subscribeInstrument(reqId?: number): string {
  return JSON.stringify({
    method: "subscribe",
    params: { channel: "instrument" },
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

export function unsubscribeInstrument(reqId?: number): string {
  return JSON.stringify({
    method: "unsubscribe",
    params: { channel: "instrument" },
    ...(reqId === undefined ? {} : { req_id: reqId }),
  });
}

export function ping(reqId: number): string {
  return JSON.stringify({ method: "ping", req_id: reqId });
}

/** `trade` per symbol; with `snapshot` Kraken first sends the most recent 50 trades (its default is false). */
export function subscribeTrade(symbols: readonly string[], reqId: number): string {
  return JSON.stringify({
    method: "subscribe",
    params: { channel: "trade", symbol: symbols, snapshot: true },
    req_id: reqId,
  });
}

export function unsubscribeTrade(symbols: readonly string[], reqId: number): string {
  return JSON.stringify({
    method: "unsubscribe",
    params: { channel: "trade", symbol: symbols },
    req_id: reqId,
  });
}

/** `ticker` per symbol, published on every trade (Kraken's default trigger), snapshot first. */
export function subscribeTicker(symbols: readonly string[], reqId: number): string {
  return JSON.stringify({
    method: "subscribe",
    params: { channel: "ticker", symbol: symbols },
    req_id: reqId,
  });
}

export function unsubscribeTicker(symbols: readonly string[], reqId: number): string {
  return JSON.stringify({
    method: "unsubscribe",
    params: { channel: "ticker", symbol: symbols },
    req_id: reqId,
  });
}
