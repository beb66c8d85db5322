import WebSocket from "ws";
import type { RawData } from "ws";
import { ping } from "../protocol/requests.js";
import { Backoff } from "./backoff.js";

export type ConnectionOptions = {
  readonly url: string;
  readonly readTimeoutMs: number;
  /** No frame for this long makes the connection quiet (reported once, until the next frame). */
  readonly quietAfterMs: number;
  readonly pingIntervalMs: number;
  /** Largest frame accepted; a larger one drops the connection as a protocol fault. */
  readonly maxFrameBytes: number;
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
  /** No frame since `since` (epoch ms) for `quietAfterMs`; the socket stays until the read timeout. */
  readonly quiet: (since: number) => void;
  /** A frame arrived after `quiet`; reported before that frame. */
  readonly heard: () => void;
  /** A ping went out at `at` (epoch ms), asking for an answer tagged `reqId`. */
  readonly pinged: (reqId: number, at: number) => void;
  /**
   * The socket is gone and the next try is scheduled; `opened` says whether it had opened (a connection
   * lost) or never did (the server could not be reached, or refused the upgrade).
   */
  readonly reconnecting: (attempt: number, retryInMs: number, reason: string, opened: boolean) => void;
};

/** Close code Kraken uses for a policy close (e.g. too many connections): slow down. */
const POLICY_CLOSE = 1008;
/** How long a clean close may take before the socket is terminated. */
const CLOSE_GRACE_MS = 500;
/**
 * A silence check that runs this much later than it was due ran on a thread that was busy (a large
 * frame, a slow apply): frames may be waiting unread behind it (or in the inflater), so silence is
 * counted afresh from then: only time this thread was free to read counts as silence.
 */
const BUSY_SLACK_MS = 100;
/**
 * A connection on which every book verified, and which then stayed up this many `backoffBaseMs`,
 * starts the backoff afresh: at most one fast reconnect per that long (1 s by default).
 */
const SERVED_RESET_STEPS = 4;

/**
 * One WebSocket at a time to `url`, kept alive for as long as the feed runs: application pings,
 * `quiet` after `quietAfterMs` without a frame, a read timeout (no frame at all, heartbeats
 * included, means half-open), frames capped at `maxFrameBytes`, and reconnection with exponential
 * backoff and full jitter. Knows nothing of books or subscriptions, except that the worker says
 * when a connection served every book (`served`).
 *
 * Backoff reset rule: the attempt count starts afresh after a connection that served every book
 * and stayed up at least SERVED_RESET_STEPS × `backoffBaseMs` after that, unless it ended with a
 * policy close or rate limiting; or after any connection that stayed up `backoffResetMs`. A server
 * that serves and drops every few seconds is reconnected within one base step; one that refuses,
 * drops before serving every book, or pushes back keeps backing off.
 */
export class Connection {
  private ws: WebSocket | undefined;
  private readonly backoff: Backoff;
  private tries = 0;
  private openedAt = 0;
  /** When the worker said every book verified on this connection; 0 before. */
  private servedAt = 0;
  private lastFrameAt = 0;
  /** The end of the last stretch this thread was too busy to read (see BUSY_SLACK_MS). */
  private busyUntil = 0;
  private quiet = false;
  /** When the pending silence check is due. */
  private checkDueAt = 0;
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

  /** Every book verified on the current connection (see the backoff reset rule). */
  served(): void {
    if (this.ws !== undefined && this.openedAt > 0 && this.servedAt === 0) this.servedAt = Date.now();
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
      maxPayload: this.options.maxFrameBytes,
    });
    this.ws = ws;
    ws.on("open", () => {
      if (this.ws !== ws) return;
      this.openedAt = Date.now();
      this.servedAt = 0;
      this.lastFrameAt = this.openedAt;
      this.busyUntil = 0;
      this.quiet = false;
      this.armSilence();
      this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
      this.on.open();
      // One at once, behind the subscribes: its answer, which comes after their snapshots, shows whether
      // they came promptly.
      this.ping();
    });
    ws.on("message", (data: RawData) => {
      if (this.ws !== ws) return;
      const at = Date.now();
      this.lastFrameAt = at;
      if (this.quiet) {
        this.quiet = false;
        this.on.heard();
        clearTimeout(this.readTimer);
        this.armSilence();
      }
      this.on.frame(text(data), at);
    });
    ws.on("error", (e: Error & { code?: string }) => {
      if (this.ws !== ws) return;
      // ws has discarded the frame without buffering all of it and is closing with 1009.
      if (e.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        this.drop(
          `protocol fault: a frame over ${formatBytes(this.options.maxFrameBytes)} (--max-frame)`,
          false,
        );
      } else {
        // A 429 is the server pushing back, as Kraken's policy close (1008) is.
        if (e.message === "Unexpected server response: 429") this.slowNext = true;
        this.drop(socketErrorReason(e), true);
      }
    });
    ws.on("close", (code: number, reason: Buffer) => {
      if (this.ws !== ws) return;
      if (code === POLICY_CLOSE) this.slowNext = true;
      const why = reason.length > 0 ? reason.toString("utf8") : "";
      this.drop(`closed by server (${code}${why === "" ? "" : ` ${why}`})`, false);
    });
  }

  private ping(): void {
    const reqId = ++this.reqId;
    if (this.send(ping(reqId))) this.on.pinged(reqId, Date.now());
  }

  /**
   * One timer for both silences, not one per frame: it is due at the next deadline (quiet, then the
   * read timeout) counted from the last frame, and re-arms for what is left when frames came meanwhile.
   */
  private armSilence(): void {
    const { quietAfterMs, readTimeoutMs } = this.options;
    const heardFrom = Math.max(this.lastFrameAt, this.busyUntil);
    const deadline = heardFrom + (this.quiet ? readTimeoutMs : Math.min(quietAfterMs, readTimeoutMs));
    this.schedule(Math.max(0, deadline - Date.now()));
  }

  private schedule(ms: number): void {
    this.checkDueAt = Date.now() + ms;
    this.readTimer = setTimeout(() => this.checkSilence(), ms);
  }

  private checkSilence(): void {
    const now = Date.now();
    if (now - this.checkDueAt > BUSY_SLACK_MS) {
      this.busyUntil = now;
      return this.armSilence();
    }
    const idle = now - Math.max(this.lastFrameAt, this.busyUntil);
    if (idle >= this.options.readTimeoutMs) {
      return this.drop(`no frame for ${this.options.readTimeoutMs} ms (read timeout)`, true);
    }
    if (!this.quiet && idle >= this.options.quietAfterMs) {
      this.quiet = true;
      this.on.quiet(this.lastFrameAt);
    }
    this.armSilence();
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
      else if (ws.readyState !== WebSocket.CLOSED) {
        // A clean close (ours, or one ws started, e.g. 1009), but never waiting on the server for long.
        if (ws.readyState === WebSocket.OPEN) ws.close(1000, "reconnecting");
        const force = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        ws.once("close", () => clearTimeout(force));
      }
    }
    const now = Date.now();
    const served =
      !this.slowNext &&
      this.servedAt > 0 &&
      now - this.servedAt >= SERVED_RESET_STEPS * this.options.backoffBaseMs;
    if (served || (this.openedAt > 0 && now - this.openedAt >= this.options.backoffResetMs)) {
      this.backoff.reset();
      this.tries = 0;
    }
    const opened = this.openedAt > 0;
    this.openedAt = 0;
    this.servedAt = 0;
    this.quiet = false;
    const delay = this.backoff.next(this.slowNext);
    this.slowNext = false;
    this.on.reconnecting(this.tries + 1, delay, reason, opened);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }
}

/**
 * A socket's error as a reason to act on. A `wss://` URL to a server without TLS fails in OpenSSL, whose
 * text names its own source file and ends in a line break; an HTTP server that does not upgrade the request
 * (a wrong path) is ws's `Unexpected server response: 404`, while 429 and 5xx are the endpoint refusing for
 * now (rate-limited, down or overloaded: the URL is right); one that takes the TCP connection and then says
 * nothing (a stopped process) times ws's handshake out. Each says what to check instead.
 */
export function socketErrorReason(e: Error & { code?: string }): string {
  if (e.code === "EPROTO" && e.message.includes("wrong version number"))
    return "TLS failed: the server answered without TLS (a ws:// endpoint, not wss://?)";
  if (e.message === "Opening handshake has timed out")
    return "the server took the connection but did not answer the WebSocket handshake within --read-timeout (stopped, or overloaded?)";
  const status = /^Unexpected server response: (\d+)$/.exec(e.message)?.[1];
  if (status === "429")
    return "the server answered HTTP 429 (too many requests): refused for now, retrying slowly";
  if (status?.startsWith("5") === true)
    return `the server answered HTTP ${status}: unavailable for now (down, overloaded or shutting down?)`;
  if (status !== undefined)
    return `the server answered HTTP ${status} instead of opening a WebSocket: check the URL (Kraken's ends in /v2)`;
  return e.message.trim();
}

/** `1 MiB`, `512 KiB`, `1000 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
