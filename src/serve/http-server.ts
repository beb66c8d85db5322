import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connectionCurrent } from "../feed/servable.js";
import type { FeedClient, FeedView } from "../feed/types.js";
import { bearerChecker, unauthorisedMessage } from "./auth.js";
import { Cors, METHODS } from "./cors.js";
import type { CorsOrigins } from "./cors.js";
import { requestUrl } from "./request-url.js";
import { openFileLimit, watchOpenFiles } from "./fd-watch.js";
import {
  bookBody,
  findSymbol,
  servable,
  symbolEntry,
  unknownSymbolBody,
  unservableBody,
} from "./book-json.js";
import { StreamHub } from "./hub.js";
import type { SseLimits } from "./sse-client.js";
import { createMetrics } from "./metrics.js";
import { DEFAULT_TRADE_LIMIT, MarketStore, TRADES_KEPT } from "./market.js";
import { PAGE_LEVELS, pageHtml } from "./web/page.js";

export const DEFAULT_LEVELS = 25;

/** Every path served, as a 404 names them. */
const ENDPOINTS = "/, /health, /symbols, /book/:symbol, /trades/:symbol, /stream, /stream/:symbol, /metrics";

export type ServeServerOptions = {
  readonly feed: FeedClient;
  /** The symbols served; none: a whole market (--quote, --all), whose books the feed's views list. */
  readonly symbols: readonly string[];
  readonly depth: number;
  readonly host: string;
  readonly port: number;
  /** Bearer token checked on every endpoint but /health; none: open. */
  readonly token?: string;
  /** Origins whose pages may read the answers (--cors); none: no page of another origin may. */
  readonly cors?: CorsOrigins;
  readonly limits: SseLimits;
  /** Told what the operator should know while serving (connections near the open-file limit, a page of another origin refused). */
  readonly onNote?: (message: string) => void;
};

export type ServeServer = {
  /** http://host:port */
  readonly url: string;
  /** Ends every SSE stream and closes every connection. */
  close(): Promise<void>;
};

/** The HTTP server of `serve`: JSON endpoints, SSE, /metrics and the page. */
export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const { feed, depth } = options;
  /** The symbols served now: those given, or a whole market's books as the feed has opened them. */
  const served = (view: FeedView | undefined): readonly string[] =>
    options.symbols.length > 0 || view === undefined ? options.symbols : view.books.map((b) => b.symbol);
  const metrics = createMetrics(feed);
  const hub = new StreamHub(options.limits, () => metrics.sseDropped());
  metrics.sseClients(() => hub.size);
  const market = new MarketStore();
  const page = pageHtml(Math.min(PAGE_LEVELS, depth));
  // Registered before the hub: a trade is in /trades by the time its SSE event is written.
  const offMarket = feed.subscribe((event) => market.event(event));
  hub.attach(feed);
  const refused = options.token === undefined ? () => undefined : bearerChecker(options.token);
  const cors = new Cors(options.cors, options.onNote ?? (() => undefined));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Before the token: a browser's preflight never carries it.
    cors.headers(req, res);
    if (cors.preflight(req, res)) return;
    if (req.method !== "GET" && req.method !== "HEAD") {
      json(res, 405, { error: "method not allowed" }, { allow: METHODS });
      return;
    }
    const url = requestUrl(req);
    if (url === undefined) {
      json(res, 400, {
        error: `bad request target ${JSON.stringify(req.url)}: expected a path such as /symbols`,
      });
      return;
    }
    // One slash at the end is the same path (`/health/`, `/book/BTC-USD/`), as most servers take it.
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;
    const view = feed.latest();
    const symbols = served(view);
    if (path === "/health") {
      json(res, 200, health(view, symbols));
      return;
    }
    const refusal = refused(req);
    if (refusal !== undefined) {
      json(
        res,
        401,
        { error: unauthorisedMessage(refusal) },
        {
          "www-authenticate": 'Bearer realm="kraken-ladder"',
        },
      );
      return;
    }
    if (path === "/" || path === "/index.html") {
      // The page reads its own address (`?token=`); whatever else a bookmark or a link adds is not ours.
      send(res, 200, "text/html; charset=utf-8", page);
      return;
    }
    /** The `?levels=N` asked for; undefined (answered 400) when it is not a number of levels served. */
    const levelsAsked = (): number | undefined => {
      const levels = parseLevels(url.searchParams.get("levels"), depth);
      if (levels === undefined) json(res, 400, { error: `levels must be an integer from 1 to ${depth}` });
      return levels;
    };
    if (path === "/symbols") {
      if (!takesOnly(res, url, "/symbols", [])) return;
      const connection = view?.connection ?? { state: "connecting", attempt: 1 };
      json(res, 200, {
        connection,
        symbols: symbols.map((s) => {
          const book = view?.books.find((b) => b.symbol === s);
          const ticker = market.ticker(s, connection) ?? null;
          return book === undefined
            ? { symbol: s, state: "awaiting-snapshot", servable: false, depth, ticker, pairStatus: null }
            : {
                ...symbolEntry(book, connection, depth, Date.now()),
                ticker,
                // As the ticker: the exchange's word of now, not from a connection that is gone or quiet.
                pairStatus: connectionCurrent(connection.state) ? (book.pairStatus ?? null) : null,
              };
        }),
      });
      return;
    }
    if (path === "/metrics") {
      if (!takesOnly(res, url, "/metrics", [])) return;
      send(res, 200, metrics.registry.contentType, await metrics.registry.metrics());
      return;
    }
    if (path === "/stream") {
      if (!takesOnly(res, url, "/stream", ["levels"])) return;
      const levels = levelsAsked();
      if (levels !== undefined) hub.open(res, { symbols: "all", levels, ...lastEventId(req) });
      return;
    }
    // The symbol as it is written (BTC/USD: one slash, so a path can take it plainly), dashed, or encoded.
    const match = /^\/(book|stream|trades)\/([^/]+(?:\/[^/]+)?)$/.exec(path);
    if (match === null) {
      json(res, 404, { error: `not found: this server answers ${ENDPOINTS}` });
      return;
    }
    if (!takesOnly(res, url, `/${match[1]}/:symbol`, match[1] === "trades" ? ["limit"] : ["levels"])) return;
    const symbol = findSymbol(match[2]!, symbols);
    if (symbol === undefined) {
      json(res, 404, unknownSymbolBody(match[2]!, symbols));
      return;
    }
    const book = view?.books.find((b) => b.symbol === symbol);
    if (match[1] === "trades") {
      const limit = parseLimit(url.searchParams.get("limit"));
      if (limit === undefined) {
        json(res, 400, { error: `limit must be an integer from 1 to ${TRADES_KEPT}` });
        return;
      }
      const answer = market.trades(symbol, limit, view?.connection, book);
      json(res, answer.status, answer.body);
      return;
    }
    const levels = levelsAsked();
    if (levels === undefined) return;
    if (match[1] === "stream") {
      hub.open(res, { symbols: [symbol], levels, ...lastEventId(req) });
    } else if (view === undefined || book === undefined) {
      json(res, 503, { symbol, state: "awaiting-snapshot", reason: null });
    } else if (servable(book, view.connection)) {
      json(res, 200, bookBody(book, levels));
    } else {
      const body = unservableBody(book, view.connection, Date.now());
      // Not servable before its next subscribe: a client polling /book need not ask sooner.
      const retry =
        body.retryInMs === undefined ? {} : { "retry-after": String(Math.ceil(body.retryInMs / 1000)) };
      json(res, 503, body, retry);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  if (options.onNote !== undefined) watchOpenFiles(server, openFileLimit(), options.onNote);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    // Nothing started here may outlive the failure: the hub's timers would keep the process running.
    offMarket();
    hub.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      offMarket();
      hub.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Each book's own state, and whether it is served now (a book keeps its state once the feed has ended). */
function health(view: FeedView | undefined, symbols: readonly string[]): object {
  return {
    connection: view?.connection.state ?? "connecting",
    books: symbols.map((symbol) => {
      const book = view?.books.find((b) => b.symbol === symbol);
      return book === undefined || view === undefined
        ? { symbol, state: "awaiting-snapshot", servable: false }
        : { symbol, state: book.state, servable: servable(book, view.connection) };
    }),
  };
}

/**
 * Whether the query holds only the parameters `endpoint` takes, and `token`; when not, answers 400 naming
 * the first unknown one and those it takes, so that a misspelt `?level=5` is not quietly served 25.
 */
function takesOnly(res: ServerResponse, url: URL, endpoint: string, parameters: readonly string[]): boolean {
  for (const name of new Set(url.searchParams.keys())) {
    const known = name === "token" || parameters.includes(name);
    const times = url.searchParams.getAll(name).length;
    if (known && times === 1) continue;
    const takes = [...parameters, "token"].join(", ");
    // A parameter given twice has no one meaning: which was meant is said, not guessed.
    const error = known
      ? `query parameter ${JSON.stringify(name)} given ${times} times: give it once`
      : `unknown query parameter ${JSON.stringify(name)}: ${endpoint} takes ${takes}`;
    json(res, 400, { error });
    return false;
  }
  return true;
}

/** `?levels=N`, 1..depth; DEFAULT_LEVELS (at most depth) when absent; undefined when bad. */
function parseLevels(text: string | null, depth: number): number | undefined {
  if (text === null) return Math.min(DEFAULT_LEVELS, depth);
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= depth ? n : undefined;
}

/** `?limit=N`, 1..TRADES_KEPT; DEFAULT_TRADE_LIMIT when absent; undefined when bad. */
function parseLimit(text: string | null): number | undefined {
  if (text === null) return DEFAULT_TRADE_LIMIT;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= TRADES_KEPT ? n : undefined;
}

function lastEventId(req: IncomingMessage): { lastEventId?: string } {
  const id = req.headers["last-event-id"];
  return typeof id === "string" ? { lastEventId: id } : {};
}

function json(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body), headers);
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
