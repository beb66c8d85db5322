import type { IncomingMessage } from "node:http";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { DemoSource } from "./demo-source.js";
import { catalogueWith } from "./synthetic.js";
import type { FaultOptions } from "./faults.js";
import { connectionId } from "./generate.js";
import { DEFAULT_LIMITS } from "./limits.js";
import type { SimLimits } from "./limits.js";
import { Random, deriveSeed, randomSeed } from "./random.js";
import { REPLAY_HIGH_WATER, ReplaySource, loadRecording } from "./replay.js";
import { ClientSession } from "./client-session.js";
import type { BookSource } from "./source.js";

export type { FaultOptions } from "./faults.js";
export type { SimLimits } from "./limits.js";

export type SimOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: an ephemeral port; the real one is in `url`). */
  port?: number;
  /** Demo: update messages per second per symbol (default 10). */
  rate?: number;
  /** Demo: random seed (default random). The market a symbol shows is a function of the seed. */
  seed?: number;
  /** Demo: this many synthetic pairs beside the built-in ones (see catalogueWith), made from the seed. */
  pairs?: number;
  /** Serve this recording instead of the demo market. */
  replayPath?: string;
  /** Replay speed factor; Infinity = as fast as the client reads (default 1). */
  speed?: number;
  /** Heartbeat interval once anything is subscribed (default 1000). */
  heartbeatMs?: number;
  faults?: FaultOptions;
  /** Per-connection bounds; each one not given takes its default (`DEFAULT_LIMITS`). */
  limits?: Partial<SimLimits>;
  /**
   * Where operator lines go, such as a dropped connection (default: nowhere, so a server started
   * inside the ladder never writes over its screen; `simulate` passes stderr).
   */
  log?: (line: string) => void;
};

export type SimServer = {
  readonly url: string;
  /** Whether the market (demo) or the recording (replay) has this pair. */
  serves(symbol: string): boolean;
  /**
   * Stops serving. `goingAway`: as a server shutting down does, each client gets a close frame (1001) and
   * up to GOING_AWAY_MS to answer it before its socket is cut; else (the app's own server, quitting) every
   * socket is cut at once.
   */
  close(options?: { readonly goingAway?: boolean }): Promise<void>;
};

/** How long a client has to answer the close frame of a server shutting down (see SimServer.close). */
export const GOING_AWAY_MS = 1000;

/**
 * Starts a Kraken v2-compatible WebSocket server (demo market or replay) and resolves once it
 * listens, with its `ws://host:port` URL. `close()` closes every client (see SimServer.close) and the server.
 * Rejects if the recording cannot be read or the address cannot be bound.
 */
export async function startSimServer(options: SimOptions): Promise<SimServer> {
  const host = options.host ?? "127.0.0.1";
  const seed = options.seed ?? randomSeed();
  const limits: SimLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const source: BookSource =
    options.replayPath === undefined
      ? new DemoSource(options.rate ?? 10, seed, options.faults, catalogueWith(options.pairs ?? 0, seed))
      : new ReplaySource(
          loadRecording(options.replayPath),
          options.speed ?? 1,
          Math.min(REPLAY_HIGH_WATER, limits.maxBufferBytes / 2),
        );
  const log = options.log ?? (() => undefined);
  const wss = new WebSocketServer({ host, port: options.port ?? 0, maxPayload: limits.maxFrameBytes });
  try {
    await new Promise<void>((resolve, reject) => {
      wss.once("listening", resolve);
      wss.once("error", reject);
    });
  } catch (e) {
    source.close();
    wss.close();
    throw e;
  }
  wss.on("error", () => undefined);
  const sessions = new Set<ClientSession>();
  let connections = 0;
  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    ws.on("error", () => undefined);
    const n = connections++;
    const peer = req.socket.remoteAddress ?? "?";
    const session = new ClientSession(ws, {
      source,
      faults: options.faults ?? {},
      heartbeatMs: options.heartbeatMs ?? 1000,
      rng: new Random(deriveSeed(seed, `#connection${n}`)),
      connectionId: connectionId(seed + n),
      limits,
      label: `#${n} ${peer.includes(":") ? `[${peer}]` : peer}:${req.socket.remotePort ?? "?"}`,
      log,
    });
    sessions.add(session);
    ws.on("close", () => sessions.delete(session));
  });
  const address = wss.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `ws://${urlHost}:${port}`,
    serves: (symbol) => source.has(symbol),
    close(closeOptions = {}): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        source.close();
        for (const s of sessions) s.dispose();
        if (closeOptions.goingAway === true && wss.clients.size > 0) {
          for (const ws of wss.clients) ws.close(1001, "server shutting down");
          setTimeout(() => {
            for (const ws of wss.clients) ws.terminate();
          }, GOING_AWAY_MS).unref();
        } else for (const ws of wss.clients) ws.terminate();
        // Called once every client's socket has closed.
        wss.close(() => resolve());
      });
      return closing;
    },
  };
}
