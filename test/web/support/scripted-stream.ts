import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { queryRefusal, unauthorisedMessage } from "../../../src/serve/auth.js";
import { PAGE_LEVELS, pageHtml } from "../../../src/serve/web/page.js";

/** A `book` event's data, as the serve contract has it (prices only while live or stale). */
export type BookData = {
  readonly symbol: string;
  readonly state: string;
  readonly version: number;
  readonly bids: readonly { readonly price: string; readonly qty: string }[];
  readonly asks: readonly { readonly price: string; readonly qty: string }[];
  readonly spread?: string;
  readonly mid?: string;
  readonly lagMs?: number;
  readonly time?: string;
  readonly reason?: string;
  /** Epoch ms of the next subscribe of a book waiting out its backoff. */
  readonly retryAt?: number;
  readonly checksum?: number;
  readonly checksums: { readonly ok: number; readonly failed: number };
  readonly resyncs: number;
};

export type StateData =
  | ({ readonly scope: "connection"; readonly state: string } & Record<string, unknown>)
  | { readonly scope: "book"; readonly symbol: string; readonly state: string; readonly reason?: string };

/**
 * A real HTTP server on 127.0.0.1 port 0 that serves the page at `/` and a scripted `/stream` by the serve
 * contract: a new client first gets the connection's state and each book's current view, then whatever the
 * test sends. It lets a test withdraw prices at a moment of its choosing, send hostile text, drop every
 * client, or require a token (`?token=` on /stream, as the page passes it).
 */
export class ScriptedStream {
  private readonly server: Server;
  private readonly clients = new Set<ServerResponse>();
  private connection: StateData = { scope: "connection", state: "live" };
  private readonly books = new Map<string, BookData>();
  /** The URL (path and query) of every /stream request. */
  readonly streamRequests: string[] = [];
  private token: string | undefined;
  private held: [IncomingMessage, ServerResponse][] | undefined;

  private constructor() {
    this.server = createServer((request, response) => this.handle(request, response));
  }

  static async start(options: { readonly token?: string } = {}): Promise<ScriptedStream> {
    const stream = new ScriptedStream();
    stream.token = options.token;
    await new Promise<void>((resolve) => stream.server.listen(0, "127.0.0.1", resolve));
    return stream;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  book(data: BookData): void {
    this.books.set(data.symbol, data);
    this.broadcast("book", data, `${data.symbol}:${data.version}`);
  }

  state(data: StateData): void {
    if (data.scope === "connection") this.connection = data;
    this.broadcast("state", data);
  }

  /**
   * Ends every open stream (the page's EventSource then retries). With `hold`, new /stream requests wait
   * unanswered (the browser stays reconnecting) until `release`.
   */
  dropClients(options: { readonly hold?: boolean } = {}): void {
    if (options.hold === true) this.held = [];
    for (const client of this.clients) client.destroy();
    this.clients.clear();
  }

  /** Answers the /stream requests held since `dropClients({ hold: true })`, and every later one. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const [request, response] of held) this.handle(request, response);
  }

  async close(): Promise<void> {
    this.dropClients();
    for (const [, response] of this.held ?? []) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(pageHtml(PAGE_LEVELS));
      return;
    }
    if (url.pathname !== "/stream") {
      response.writeHead(404).end();
      return;
    }
    if (this.held !== undefined) {
      this.held.push([request, response]);
      return;
    }
    this.streamRequests.push(request.url ?? "");
    if (this.token !== undefined && url.searchParams.get("token") !== this.token) {
      // serve's answer.
      const error = unauthorisedMessage(url.searchParams.has("token") ? queryRefusal(url) : "none");
      response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error }));
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    response.write("retry: 300\n\n");
    this.clients.add(response);
    response.on("close", () => this.clients.delete(response));
    write(response, "state", this.connection);
    for (const book of this.books.values()) write(response, "book", book, `${book.symbol}:${book.version}`);
  }

  private broadcast(event: string, data: unknown, id?: string): void {
    for (const client of this.clients) write(client, event, data, id);
  }
}

function write(response: ServerResponse, event: string, data: unknown, id?: string): void {
  response.write(
    `event: ${event}\n${id === undefined ? "" : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`,
  );
}
