import WebSocket from "ws";
import type { RawData } from "ws";
import { ping } from "../protocol/requests.js";
import { Backoff } from "./backoff.js";

export type ConnectionOptions = {
  readonly url: string;
  readonly readTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  readonly backoffResetMs: number;
  /** Injected for deterministic tests of the jitter; Math.random by default. */
  readonly random?: () => number;
};

export type ConnectionHandlers = {
  /** A connection try starts; `attempt` counts tries since the last stable connection, from 1. */
  readonly connecting: (attempt: number) => void;
  /** The socket is open: subscribe now. */
  readonly open: () => void;
  /** One raw text frame, with its receive time (epoch ms). */
  readonly frame: (raw: string, receivedAt: number) => void;
  /** The socket is gone and the next try is scheduled. */
  readonly reconnecting: (attempt: number, retryInMs: number, reason: string) => void;
};

/** Close code Kraken uses for a policy close (e.g. too many connections): slow down. */
const POLICY_CLOSE = 1008;
/** How long a clean close may take before the socket is terminated. */
const CLOSE_GRACE_MS = 500;

/**
 * One WebSocket at a time to `url`, kept alive for as long as the feed runs: application pings,
 * a read timeout (no frame at all, heartbeats included, means half-open), and reconnection with
 * exponential backoff and full jitter. Knows nothing of books or subscriptions.
 */
export class Connection {
  private ws: WebSocket | undefined;
  private readonly backoff: Backoff;
  private tries = 0;
  private openedAt = 0;
  private lastFrameAt = 0;
  private reqId = 0;
  private stopped = false;
  /** The next delay must be a slow one (policy close or rate limiting). */
  private slowNext = false;
  private readTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly on: ConnectionHandlers,
  ) {
    this.backoff = new Backoff(options.backoffBaseMs, options.backoffCapMs, options.random);
  }

  start(): void {
    this.connect();
  }

  /** Sends a text frame if the socket is open; returns whether it was sent. */
  send(text: string): boolean {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(text);
    return true;
  }

  /** Drops this connection and reconnects after a slow delay (the server is pushing back). */
  slowDown(reason: string): void {
    this.slowNext = true;
    this.drop(reason, false);
  }

  /** Closes with code 1000 (terminating after a short grace) and never reconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        ws.terminate();
        resolve();
      }, CLOSE_GRACE_MS);
      ws.once("close", () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, "bye");
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.tries++;
    this.on.connecting(this.tries);
    const ws = new WebSocket(this.options.url, {
      handshakeTimeout: this.options.readTimeoutMs,
      maxPayload: 64 * 1024 * 1024,
    });
    this.ws = ws;
    ws.on("open", () => {
      if (this.ws !== ws) return;
      this.openedAt = Date.now();
      this.lastFrameAt = this.openedAt;
      this.armReadTimer(this.options.readTimeoutMs);
      this.pingTimer = setInterval(() => this.send(ping(++this.reqId)), this.options.pingIntervalMs);
      this.on.open();
    });
    ws.on("message", (data: RawData) => {
      if (this.ws !== ws) return;
      const at = Date.now();
      this.lastFrameAt = at;
      this.on.frame(text(data), at);
    });
    ws.on("error", (e: Error) => {
      if (this.ws === ws) this.drop(e.message, true);
    });
    ws.on("close", (code: number, reason: Buffer) => {
      if (this.ws !== ws) return;
      if (code === POLICY_CLOSE) this.slowNext = true;
      const why = reason.length > 0 ? reason.toString("utf8") : "";
      this.drop(`closed by server (${code}${why === "" ? "" : ` ${why}`})`, false);
    });
  }

  /** A timer per read timeout, not per frame: when it fires early it re-arms for what is left. */
  private armReadTimer(ms: number): void {
    this.readTimer = setTimeout(() => {
      const idle = Date.now() - this.lastFrameAt;
      const left = this.options.readTimeoutMs - idle;
      if (left > 0) this.armReadTimer(left);
      else this.drop(`no frame for ${this.options.readTimeoutMs} ms (read timeout)`, true);
    }, ms);
  }

  private clearTimers(): void {
    clearTimeout(this.readTimer);
    clearInterval(this.pingTimer);
    this.readTimer = undefined;
    this.pingTimer = undefined;
  }

  /** Forgets the current socket (terminating or closing it) and schedules the next try. */
  private drop(reason: string, terminate: boolean): void {
    if (this.stopped) return;
    const ws = this.ws;
    this.ws = undefined;
    this.clearTimers();
    if (ws !== undefined) {
      ws.removeAllListeners("message");
      ws.on("error", () => {});
      if (terminate || ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else if (ws.readyState === WebSocket.OPEN) ws.close(1000, "reconnecting");
    }
    if (this.openedAt > 0 && Date.now() - this.openedAt >= this.options.backoffResetMs) {
      this.backoff.reset();
      this.tries = 0;
    }
    this.openedAt = 0;
    const delay = this.backoff.next(this.slowNext);
    this.slowNext = false;
    this.on.reconnecting(this.tries + 1, delay, reason);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
