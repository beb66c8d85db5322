/**
 * The web ladder's browser script (plain JavaScript, run inline by the page): it follows `/stream` (Server-Sent
 * Events, see the serve contract in README) and draws one ladder per symbol.
 *
 * Contracts it keeps:
 * - Prices are drawn only for a book whose state is `live` or `stale`, while the stream is open and the
 *   feed's connection carries the books' verdict (subscribing, live, quiet, stalled: quiet and stalled make
 *   every verified book lagging). Any other state, a stream that dropped, or a connection that is not open
 *   withdraws them at once: the page never shows prices it cannot vouch for.
 * - Text from the server reaches the page through `textContent` only (never HTML), stripped of control and
 *   invisible characters as the terminal strips them (src/text/sanitize.ts), and cut to a bounded length.
 * - With `?token=` in the page's own URL, the token is passed on as `/stream?token=` (EventSource cannot
 *   send an Authorization header).
 *
 * It is a string, not a module, so the page stays one self-contained response with no build step of its
 * own; the browser test (test/web/) runs it in Chromium. It avoids backticks and dollar-brace so it can live
 * in a raw template literal.
 */
export const PAGE_SCRIPT = String.raw`
"use strict";
// Levels a side: the server says how many its books hold (at most 15) on the books' element.
const LEVELS = Number(document.getElementById("books").dataset.levels) || 15;
const SERVABLE = new Set(["live", "stale"]);
const GLYPHS = {
  live: "●", syncing: "◌", connecting: "◌", resyncing: "↻", stale: "◐", lagging: "◔", rejected: "✕", disconnected: "○",
  ended: "■",
};
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const WHITESPACE = /[\t\n\r\v\f\u2028\u2029]/g;
const DECIMAL = /^\d{1,30}(\.\d{1,30})?$/;
// A dropped stream is opened again after this long (the server's own "retry:").
const RECONNECT_MS = 1000;
// A stream refused for now (see isFinal) is asked for again, each wait twice the last, up to this.
const MAX_RETRY_MS = 30000;
const MAX_TEXT = 200;

/** Server text made safe to show: no control or invisible characters, bounded length. */
function clean(value) {
  const text = String(value).replace(WHITESPACE, " ").replace(UNSAFE, "");
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT - 1) + "…" : text;
}

function decimalsOf(text) {
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1;
}
/** Exact decimal text with at least scale digits after the point, as the terminal shows prices. */
function atScale(text, scale) {
  const have = decimalsOf(text);
  if (have >= scale) return text;
  return (have === 0 ? text + "." : text) + "0".repeat(scale - have);
}
function toUnits(text, scale) {
  const parts = text.split(".");
  return BigInt(parts[0] + (parts[1] || "").padEnd(scale, "0"));
}
function fromUnits(units, scale) {
  if (scale === 0) return units.toString();
  const digits = units.toString().padStart(scale + 1, "0");
  return digits.slice(0, -scale) + "." + digits.slice(-scale);
}
/** Exact text padded with zeros to scale decimals, so a column lines up on the point. */
function padded(text, scale) {
  if (scale === 0) return text;
  return text.includes(".") ? text.padEnd(text.indexOf(".") + 1 + scale, "0") : text + "." + "0".repeat(scale);
}

function formatLag(ms) {
  const v = Math.max(0, ms);
  if (v < 10000) return "lag " + (Math.floor(v / 100) / 10).toFixed(1) + " s";
  if (v < 120000) return "lag " + Math.floor(v / 1000) + " s";
  return "lag " + Math.floor(v / 60000) + " min";
}
function formatAge(ms) {
  const v = Math.max(0, ms);
  if (v < 1000) return "<1s";
  if (v < 120000) return Math.floor(v / 1000) + "s";
  if (v < 7200000) return Math.floor(v / 60000) + "m";
  return Math.floor(v / 3600000) + "h";
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---- state ----------------------------------------------------------------------------------------------

/** The EventSource: connecting | open | reconnecting | closed. */
let stream = "connecting";
/**
 * Why the server refused the stream ("401 unauthorised: …", "502 Bad Gateway"), once the page has asked
 * it (see askWhy): final while the stream is closed, for now while it is reconnecting.
 */
let refusal;
/** How long the page waits before asking again for a stream refused for now. */
let retryMs = RECONNECT_MS;
/** The feed's connection, as the last connection state event gave it. */
let connection;
/** symbol → { view, changedAt, ui } in the order the server first named them. */
const books = new Map();

const streamEl = document.getElementById("stream");
const connectionEl = document.getElementById("connection");
const booksEl = document.getElementById("books");

/** The books carry the feed's verdict: the socket is open, or a stalled feed's last (src/feed/servable.ts). */
function connectionOpen() {
  const s = connection === undefined ? undefined : connection.state;
  return s === "subscribing" || s === "live" || s === "quiet" || s === "stalled";
}

/** What the page says about a book, as the terminal says it (src/ui/view-model/state.ts). */
function displayState(view) {
  if (view.state === "rejected") return "rejected";
  if (stream === "open" && connection !== undefined && connection.state === "ended") return "ended";
  if (stream !== "open" || !connectionOpen()) {
    const trying = stream === "open" && (connection === undefined || connection.state !== "stopped");
    const neverVerified = !(view.checksums && view.checksums.ok > 0);
    return trying && neverVerified ? "connecting" : "disconnected";
  }
  switch (view.state) {
    case "live": return "live";
    case "awaiting-snapshot": return "syncing";
    case "resyncing": return "resyncing";
    case "stale": return "stale";
    case "lagging": return "lagging";
    default: return "syncing";
  }
}

/** What follows the state word: the lag, the reason, or why the page calls the book disconnected. */
function stateDetail(view, shown, now) {
  const reason = typeof view.reason === "string" && view.reason !== "" ? clean(view.reason) : undefined;
  // A book waiting out its resubscribe backoff: when it is subscribed again (none is on the way till then).
  const retry =
    typeof view.retryAt === "number" ? "subscribing again in " + formatAge(view.retryAt - now) : undefined;
  switch (shown) {
    case "lagging":
      return typeof view.lagMs === "number" ? formatLag(view.lagMs) : undefined;
    case "resyncing":
    case "syncing":
      return [reason, retry].filter((s) => s !== undefined).join(", ") || undefined;
    case "rejected":
      return reason;
    case "disconnected":
      return stream !== "open" ? "stream " + stream : undefined;
    default:
      return undefined;
  }
}

function stateWords(view, shown, now) {
  const detail = stateDetail(view, shown, now);
  return detail === undefined ? shown : shown + " (" + detail + ")";
}

function levelsOf(value) {
  if (!Array.isArray(value)) return [];
  const out = [];
  for (const level of value.slice(0, LEVELS)) {
    if (level && typeof level.price === "string" && typeof level.qty === "string" &&
        DECIMAL.test(level.price) && DECIMAL.test(level.qty)) out.push({ price: level.price, qty: level.qty });
  }
  return out;
}

// ---- drawing ---------------------------------------------------------------------------------------------

function makeRows(body) {
  const rows = [];
  for (let i = 0; i < LEVELS; i++) {
    const row = el("tr", "level");
    const cells = { price: el("td", "price"), qty: el("td", "qty"), total: el("td", "total") };
    row.append(cells.price, cells.qty, cells.total);
    body.append(row);
    rows.push({ row, cells });
  }
  return rows;
}

function makeCard(symbol) {
  const card = el("section", "book");
  card.dataset.symbol = symbol;
  const head = el("header");
  const title = el("h2", "symbol", clean(symbol));
  const state = el("span", "state");
  head.append(title, state);
  const table = el("table", "ladder");
  const columns = el("thead");
  const titles = el("tr");
  titles.append(el("th", "", "price"), el("th", "", "size"), el("th", "", "total"));
  columns.append(titles);
  const asks = el("tbody", "asks");
  const middle = el("tbody", "middle");
  const spreadRow = el("tr");
  const spread = el("td", "spread");
  spread.colSpan = 3;
  spreadRow.append(spread);
  middle.append(spreadRow);
  const bids = el("tbody", "bids");
  table.append(columns, asks, middle, bids);
  const stats = el("footer", "stats");
  card.append(head, table, stats);
  booksEl.append(card);
  visibility.observe(card);
  return { card, state, spread, stats, asks: makeRows(asks), bids: makeRows(bids), onScreen: true };
}

/**
 * A card far off the screen is not drawn (a whole market is hundreds of books, each changing many times a
 * second): it is blanked as it leaves, so it can never come back into view with old prices, and drawn
 * again as it comes near (300 px ahead). Its state is kept on it all the same.
 */
const visibility = new IntersectionObserver(
  (changes) => {
    const now = Date.now();
    for (const change of changes) {
      const entry = books.get(change.target.dataset.symbol);
      if (entry === undefined || entry.ui.onScreen === change.isIntersecting) continue;
      entry.ui.onScreen = change.isIntersecting;
      if (change.isIntersecting) drawBook(entry, now);
      else blank(entry.ui);
    }
  },
  { rootMargin: "300px" },
);

function blank(ui) {
  const scale = { price: 0, qty: 0 };
  drawSide(ui.asks, [], "asks", scale, 0n);
  drawSide(ui.bids, [], "bids", scale, 0n);
  ui.spread.textContent = "";
  ui.stats.textContent = "";
}

/** One side: best first in levels; asks are drawn upside down so both bests meet at the spread row. */
function drawSide(rows, levels, side, scale, maxTotal) {
  let total = 0n;
  const totals = levels.map((level) => (total += toUnits(level.qty, scale.qty)));
  for (let i = 0; i < LEVELS; i++) {
    const slot = rows[side === "asks" ? LEVELS - 1 - i : i];
    const level = levels[i];
    if (level === undefined) {
      slot.cells.price.textContent = "";
      slot.cells.qty.textContent = "";
      slot.cells.total.textContent = "";
      slot.row.style.setProperty("--depth", "0");
      continue;
    }
    slot.cells.price.textContent = padded(level.price, scale.price);
    slot.cells.qty.textContent = padded(level.qty, scale.qty);
    slot.cells.total.textContent = fromUnits(totals[i], scale.qty);
    const depth = maxTotal > 0n ? Number((totals[i] * 1000n) / maxTotal) / 1000 : 0;
    slot.row.style.setProperty("--depth", String(depth));
  }
}

function drawBook(entry, now) {
  const view = entry.view;
  const ui = entry.ui;
  const shown = displayState(view);
  const servable = SERVABLE.has(view.state) && (shown === "live" || shown === "stale");
  ui.card.dataset.state = shown;
  ui.card.dataset.servable = String(servable);
  if (!ui.onScreen) return;
  ui.state.textContent = GLYPHS[shown] + " " + stateWords(view, shown, now);
  const asks = servable ? levelsOf(view.asks) : [];
  const bids = servable ? levelsOf(view.bids) : [];
  const all = asks.concat(bids);
  const scale = {
    price: all.reduce((m, l) => Math.max(m, decimalsOf(l.price)), 0),
    qty: all.reduce((m, l) => Math.max(m, decimalsOf(l.qty)), 0),
  };
  const sum = (levels) => levels.reduce((t, l) => t + toUnits(l.qty, scale.qty), 0n);
  const maxTotal = [sum(asks), sum(bids)].reduce((a, b) => (a > b ? a : b));
  drawSide(ui.asks, asks, "asks", scale, maxTotal);
  drawSide(ui.bids, bids, "bids", scale, maxTotal);
  if (servable && typeof view.spread === "string" && typeof view.mid === "string") {
    const bps = (Number(view.spread) / Number(view.mid)) * 10000;
    ui.spread.textContent =
      "spread " +
      clean(atScale(view.spread, scale.price)) +
      " · " +
      bps.toFixed(2) +
      " bps · mid " +
      clean(atScale(view.mid, scale.price));
  } else if (servable) {
    ui.spread.textContent = "spread —";
  } else {
    const detail = stateDetail(view, shown, now);
    ui.spread.textContent =
      GLYPHS[shown] + " " + shown.toUpperCase() + (detail === undefined ? "" : " — " + detail) + " · no prices";
  }
  const checks = view.checksums || {};
  const parts = [
    "checksums ✓" + Number(checks.ok || 0) + " ✗" + Number(checks.failed || 0),
    "resyncs " + Number(view.resyncs || 0),
    entry.changedAt === undefined ? "updated —" : "updated " + formatAge(now - entry.changedAt) + " ago",
  ];
  ui.stats.textContent = parts.join(" │ ");
}

function drawHeader(now) {
  const words = {
    connecting: "◌ stream connecting",
    open: "● stream open",
    reconnecting: refusal === undefined
      ? "○ stream reconnecting"
      : "○ stream reconnecting (the server answered " + refusal + ")",
    closed: "✕ stream closed: the server answered " + refusal +
      (new URLSearchParams(location.search).has("token") ? "" : "; a token goes in the page URL as ?token="),
  };
  streamEl.textContent = words[stream];
  streamEl.dataset.state = stream;
  connectionEl.dataset.state = connection === undefined ? "unknown" : clean(connection.state);
  connectionEl.textContent = connectionWords(connection, now);
}

function connectionWords(c, now) {
  if (c === undefined) return "◌ feed: waiting for the server";
  const reason = typeof c.reason === "string" ? clean(c.reason) : "";
  switch (c.state) {
    case "live": return "● connected";
    case "quiet":
      return typeof c.since === "number" ? "◔ quiet: no frame for " + formatAge(now - c.since) : "◔ quiet";
    case "stalled":
      return typeof c.since === "number"
        ? "◔ stalled: the feed has not answered for " + formatAge(now - c.since)
        : "◔ stalled";
    case "connecting":
      return typeof c.attempt === "number" ? "◌ connecting (attempt " + c.attempt + ")" : "◌ connecting";
    case "subscribing": return "◌ subscribing";
    case "reconnecting": {
      const wait = typeof c.retryAt === "number" ? " in " + formatAge(c.retryAt - now) : "";
      const attempt = typeof c.attempt === "number" ? "attempt " + c.attempt : "";
      const detail = [attempt, reason].filter((s) => s !== "").join(": ");
      return "○ reconnecting" + wait + (detail === "" ? "" : " (" + detail + ")");
    }
    case "ended": return "■ replay ended: nothing is live";
    case "stopped": return "■ stopped";
    default: return "? " + clean(c.state);
  }
}

function drawAll() {
  const now = Date.now();
  drawHeader(now);
  for (const entry of books.values()) drawBook(entry, now);
}

// ---- events ----------------------------------------------------------------------------------------------

function entryFor(symbol) {
  let entry = books.get(symbol);
  if (entry === undefined) {
    entry = { view: { symbol, state: "awaiting-snapshot", bids: [], asks: [] }, changedAt: undefined, ui: makeCard(symbol) };
    books.set(symbol, entry);
  }
  return entry;
}

function parse(event) {
  try {
    const data = JSON.parse(event.data);
    return data !== null && typeof data === "object" ? data : undefined;
  } catch {
    return undefined;
  }
}

function onBook(event) {
  const data = parse(event);
  if (data === undefined || typeof data.symbol !== "string" || typeof data.state !== "string") return;
  const entry = entryFor(data.symbol);
  const previous = entry.view;
  // Views are state: an older version (a resumed stream repeating itself) never replaces a newer one.
  if (typeof previous.version === "number" && typeof data.version === "number" && data.version < previous.version) return;
  if (data.time !== previous.time || entry.changedAt === undefined) {
    if (data.time !== undefined) entry.changedAt = Date.now();
  }
  entry.view = data;
  drawHeader(Date.now());
  drawBook(entry, Date.now());
}

function onState(event) {
  const data = parse(event);
  if (data === undefined || typeof data.state !== "string") return;
  if (data.scope === "connection") {
    connection = data;
    drawAll();
    return;
  }
  if (data.scope !== "book" || typeof data.symbol !== "string") return;
  const entry = entryFor(data.symbol);
  // A state change alone carries no prices: a book leaving live loses them here, before its next view.
  const view = { ...entry.view, state: data.state };
  if ("reason" in data) view.reason = data.reason; else delete view.reason;
  if (!SERVABLE.has(data.state)) {
    view.bids = [];
    view.asks = [];
    delete view.spread;
    delete view.mid;
  }
  entry.view = view;
  drawBook(entry, Date.now());
}

/**
 * Whether a refusal stands until someone acts: a 4xx (a token that is not it, a bad request), but for a
 * timeout (408) and too many requests (429). A 5xx (serve restarting behind a proxy, overloaded) does not.
 */
function isFinal(status) {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * An EventSource refused (a status other than 200) says nothing of why: the same request, made again with
 * fetch, gets the server's answer, whose error is shown (a 401 of a ?token= written with a + not encoded
 * says how to write one in a URL). A final refusal leaves the stream closed; any other (a refusal for now,
 * no answer, or a stream that answers now, which is let go at once) has the page ask again, later each time.
 */
function askWhy(url) {
  const controller = new AbortController();
  fetch(url, { signal: controller.signal, cache: "no-store" })
    .then((answer) => {
      if (answer.ok) {
        controller.abort();
        return retryLater(undefined);
      }
      return answer
        .json()
        .catch(() => null)
        .then((body) => {
          const said = body !== null && typeof body.error === "string" ? body.error : answer.statusText;
          const why = clean(answer.status + (said === "" ? "" : " " + said));
          if (!isFinal(answer.status)) return retryLater(why);
          refusal = why;
          stream = "closed";
          drawHeader(Date.now());
        });
    })
    .catch(() => retryLater(undefined));
}

function retryLater(why) {
  refusal = why;
  stream = "reconnecting";
  drawHeader(Date.now());
  setTimeout(open, retryMs);
  retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
}

function open() {
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams({ levels: String(LEVELS) });
  const token = params.get("token");
  if (token !== null && token !== "") query.set("token", token);
  const url = "/stream?" + query.toString();
  const source = new EventSource(url);
  source.addEventListener("open", () => {
    stream = "open";
    refusal = undefined;
    retryMs = RECONNECT_MS;
    drawAll();
  });
  source.addEventListener("error", () => {
    // CLOSED: refused (a status other than 200): askWhy says why, and whether to ask again. CONNECTING: the
    // stream dropped. What the page held is no longer vouched for: prices go, and the next views start a
    // new version line (the server may have restarted). The counts stay: they are what happened, as the
    // terminal keeps them. The page then opens a new stream itself rather than let the browser resume this
    // one: a resumed stream (Last-Event-ID) leaves out the views the page already had, and it has just
    // dropped them.
    stream = "reconnecting";
    if (source.readyState === EventSource.CLOSED) askWhy(url);
    else {
      source.close();
      setTimeout(open, RECONNECT_MS);
    }
    connection = undefined;
    for (const entry of books.values()) {
      const { symbol, state, checksums, resyncs } = entry.view;
      entry.view = { symbol, state, checksums, resyncs, bids: [], asks: [] };
    }
    drawAll();
  });
  source.addEventListener("book", onBook);
  source.addEventListener("state", onState);
}

drawAll();
setInterval(drawAll, 1000);
open();
`;
