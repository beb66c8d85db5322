import type { DeepLevels, FeedClient, FeedEvent, FeedView } from "../feed/types.js";
import type { FlashMemory } from "./view-model/flash.js";
import { FLASH_MS, nextFlashEnd, updateFlash } from "./view-model/flash.js";
import { coarser, finer } from "./view-model/grouping.js";
import { groupBook } from "./view-model/ladder.js";
import type { Screen } from "./view-model/screen.js";
import { buildScreen, keepUnchanged, WIDE_COLUMNS } from "./view-model/screen.js";
import { displayState } from "./view-model/state.js";
import type { KeyAction, KeyMode } from "./keys.js";
import { NoticeQueue } from "./view-model/notices.js";
import type { SearchState } from "./view-model/search.js";
import { matchPairs, PAIR_NAME, searchChoice } from "./view-model/search.js";
import { depthChange } from "./view-model/depth.js";
import { MarketContext } from "./market.js";
import { MarketFigures } from "../analytics/market-figures.js";
import { DEFAULT_BANDS, DEFAULT_NOTIONAL } from "../analytics/types.js";
import type { AnalyticsOptions } from "../analytics/types.js";
import type { BoardSort } from "./view-model/board.js";
import { nextSort } from "./view-model/board.js";
import { connectionOpen } from "../feed/servable.js";
import { laggingBy } from "../feed/stall.js";
import type { SaveResult } from "../config/save-watchlist.js";

/** The part of the feed client the ladder uses. */
export type FeedSource = Pick<FeedClient, "subscribe" | "latest" | "setLevels"> &
  Partial<Pick<FeedClient, "addSymbol" | "removeSymbol" | "setDepth" | "pairs" | "refresh">>;

/** Saves the watchlist (`s`); resolves with the file written, or with the file and why it was not. */
export type SaveWatchlist = (symbols: readonly string[]) => Promise<SaveResult>;

export type LadderStoreOptions = {
  /** Symbols in command-line order. */
  readonly symbols: readonly string[];
  readonly columns: number;
  readonly rows: number;
  /** Epoch ms; tests pass a fixed clock. */
  readonly now?: () => number;
  /** Redraw clocks (ages, countdowns: whole seconds) this often; only a changed screen is published. */
  readonly tickMs?: number;
  /** Clocks and flash ends are redrawn by timers only when no view has come for this long (see #clockDue). */
  readonly quietMs?: number;
  readonly flashMs?: number;
  /** Most levels per side ever asked of the feed. */
  readonly maxLevels?: number;
  /** A throw while handling a feed event (a bug) goes here instead of into the feed's emitter. */
  readonly onError?: (error: unknown) => void;
  /** What `s` does; without it `s` says there is nowhere to save. */
  readonly onSave?: SaveWatchlist;
  /** At most one new notice this often (ms); the newest of those meanwhile comes next, with a count. */
  readonly noticeIntervalMs?: number;
  /** How long a notice stays (ms). */
  readonly noticeShowMs?: number;
  /** A depth change for a symbol waits at least this long after its last one (hysteresis, ms). */
  readonly depthHoldMs?: number;
  /**
   * The depth asked for (`--depth` or its default): depth changes never go below it, even when the books
   * opened deeper (launchDepth). Without it, each symbol's first live depth.
   */
  readonly baseDepth?: number;
  /** The feed serves a `--replay` (at its recorded depth: depth changes are never asked). */
  readonly replay?: boolean;
  /** Price grouping per symbol at start, in ticks (the config file's `[grouping]`); 1 otherwise. */
  readonly groups?: ReadonlyMap<string, number>;
  /** The volume-at-price column's window (`--vap-window`), ms; default 5 minutes. */
  readonly vapWindowMs?: number;
  /** Trades, tickers and the like redraw at most this often when no view comes (the feed's frame interval). */
  readonly frameMs?: number;
  /** The board redraws for views at most this often (default BOARD_FRAME_MS). */
  readonly boardFrameMs?: number;
  /** Market events heard before the store listened (see app/market-buffer.ts); taken once, at start. */
  readonly earlyEvents?: () => readonly FeedEvent[];
  /** Start on the board (`--board`). */
  readonly board?: boolean;
  /** The board's liquidity bands and trade size (`--bps`, `--notional`). */
  readonly figures?: AnalyticsOptions;
  /** The board's spread window (ms) and its step; 5 minutes at one sample a second by default. */
  readonly spreadWindowMs?: number;
  readonly spreadStepMs?: number;
};

type UiState = {
  readonly selected: number;
  readonly groups: ReadonlyMap<string, number>;
  readonly help: boolean;
  readonly helpScroll: number;
  /** The `/` overlay, when open. */
  readonly search: SearchState | undefined;
  /**
   * `t` in a narrow pane: the tape in place of the ladder; `t` in a wide one: the tape beside it hidden. One
   * flag per layout, each toggled only in its own, so a resize never turns one layout's choice into the
   * other's opposite.
   */
  readonly narrowTapeShown: boolean;
  readonly wideTapeHidden: boolean;
  readonly columns: number;
  readonly rows: number;
  /** `b`: the board is shown in place of the ladder. */
  readonly board: boolean;
  /** The ladder was opened from the board (Enter): Esc goes back to it. */
  readonly fromBoard: boolean;
  readonly boardSort: BoardSort;
  /** The board's first row shown. */
  readonly boardTop: number;
};

/** The longest search text: longer than any pair's name. */
const MAX_QUERY = 40;

/** The search text after Backspace (the last character), Ctrl-W (the last word: back to a slash) or Ctrl-U (all). */
function erased(query: string, what: "word" | "all" | undefined): string {
  if (what === "all") return "";
  if (what === "word") return query.replace(/\/?[^/]*$/, "");
  return query.slice(0, -1);
}

/**
 * The board redraws at most this often. A board of a whole market changes in some row with every view
 * (30 a second), more than anyone reads row by row, and each frame of it costs about as much as the feed
 * itself. A change of any book's state or of the connection, and every key, is drawn at once: prices are
 * never shown for a book a view says is no longer live.
 */
export const BOARD_FRAME_MS = 100;

/** Why a verified book is shown lagging after a stop (see LadderStore.resumed). */
const RESUMED_REASON = "stopped: what came meanwhile is not read yet";

/** Whether a book's state or the connection's differs between two views (or the books themselves do). */
function statesChanged(before: FeedView | undefined, after: FeedView): boolean {
  if (before === undefined || before.connection.state !== after.connection.state) return true;
  if (before.books.length !== after.books.length) return true;
  for (let i = 0; i < after.books.length; i++) {
    const a = before.books[i]!;
    const b = after.books[i]!;
    if (a !== b && (a.symbol !== b.symbol || a.state !== b.state)) return true;
  }
  return false;
}

/**
 * The ladder's state outside React: the latest feed view, the UI state (selection, grouping, help, size)
 * and the screen built from them. Components read it with `useSyncExternalStore`. The screen is rebuilt
 * when a view arrives (the publisher's tick), on a key, on resize and on a slow clock tick — never per wire
 * message — and listeners hear only of a screen that actually changed.
 */
export class LadderStore {
  readonly #feed: FeedSource;
  #symbols: readonly string[];
  readonly #onSave: SaveWatchlist | undefined;
  readonly #notices: NoticeQueue;
  readonly #depthHoldMs: number;
  readonly #baseDepth: number | undefined;
  /** Depth last asked of the feed per symbol, and when. */
  readonly #depths = new Map<string, { readonly depth: number; readonly at: number }>();
  /** Per symbol, the depth never to ask less than: `baseDepth`, else the depth it was first live at. */
  readonly #baseDepths = new Map<string, number>();
  #pairs: readonly string[] = [];
  readonly #replay: boolean;
  readonly #now: () => number;
  readonly #tickMs: number;
  readonly #quietMs: number;
  readonly #flashMs: number;
  readonly #maxLevels: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #listeners = new Set<() => void>();
  #view: FeedView | undefined;
  #ui: UiState;
  #flash: FlashMemory | undefined;
  #screen: Screen;
  #levels = 0;
  /** The books given every level while the board is shown (sorted by spread or symbol), and the key of the last ask. */
  #deep: ReadonlySet<string> = new Set();
  #levelsKey = "";
  #unsubscribe: (() => void) | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #flashTimer: ReturnType<typeof setTimeout> | undefined;
  #lastViewAt = Number.NEGATIVE_INFINITY;
  readonly #market: MarketContext;
  readonly #vapWindowMs: number;
  readonly #frameMs: number;
  readonly #earlyEvents: (() => readonly FeedEvent[]) | undefined;
  /** The feed's word that it found nothing to watch (shown while no symbol is watched). */
  #nothingToWatch: string | undefined;
  /** A refresh put off (trades between views, board views within BOARD_FRAME_MS); any refresh clears it. */
  #laterTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the screen was last built. */
  #builtAt = Number.NEGATIVE_INFINITY;
  readonly #boardFrameMs: number;
  readonly #figures: MarketFigures;
  readonly #figureOptions: AnalyticsOptions;
  /** The board's order and page as last built: the keys move through what the user sees. */
  #boardOrder: readonly string[] = [];
  #boardPage = 1;
  /** Started on the board (`--board`): its first row is selected until a key moves the selection. */
  #boardFirst: boolean;
  /** The app started on the board (`--board`): Esc there quits; a board opened from a ladder goes back to it. */
  readonly #boardHome: boolean;
  /** When the process ran again after a stop, until a view of a frame received since has come (see resumed). */
  #resumedAt: number | undefined;

  constructor(feed: FeedSource, options: LadderStoreOptions) {
    this.#feed = feed;
    this.#symbols = options.symbols;
    this.#now = options.now ?? Date.now;
    this.#tickMs = options.tickMs ?? 1000;
    this.#quietMs = options.quietMs ?? 100;
    this.#flashMs = options.flashMs ?? FLASH_MS;
    this.#maxLevels = options.maxLevels ?? 1000;
    this.#onError = options.onError;
    this.#onSave = options.onSave;
    this.#notices = new NoticeQueue({
      ...(options.noticeIntervalMs === undefined ? {} : { intervalMs: options.noticeIntervalMs }),
      ...(options.noticeShowMs === undefined ? {} : { showMs: options.noticeShowMs }),
    });
    this.#depthHoldMs = options.depthHoldMs ?? 3000;
    this.#baseDepth = options.baseDepth;
    this.#replay = options.replay === true;
    this.#vapWindowMs = options.vapWindowMs ?? 300_000;
    this.#frameMs = options.frameMs ?? 33;
    this.#boardFrameMs = options.boardFrameMs ?? BOARD_FRAME_MS;
    this.#earlyEvents = options.earlyEvents;
    this.#market = new MarketContext(this.#vapWindowMs);
    this.#figureOptions = options.figures ?? { bands: DEFAULT_BANDS, notional: DEFAULT_NOTIONAL };
    this.#boardFirst = options.board === true;
    this.#boardHome = options.board === true;
    this.#figures = new MarketFigures(this.#figureOptions, options.spreadWindowMs, options.spreadStepMs);
    this.#ui = {
      selected: 0,
      groups: new Map(options.groups),
      help: false,
      helpScroll: 0,
      search: undefined,
      narrowTapeShown: false,
      wideTapeHidden: false,
      columns: options.columns,
      rows: options.rows,
      board: options.board === true,
      fromBoard: false,
      boardSort: "spread",
      boardTop: 0,
    };
    this.#view = feed.latest();
    if (this.#view !== undefined)
      this.#figures.update(this.#view.books, this.#view.connection.state, this.#now());
    this.#trackFlash();
    this.#screen = this.#build();
  }

  /** Listens to the feed and starts the clock. */
  start(): void {
    if (this.#unsubscribe !== undefined) return;
    // Taken and applied in the same turn as subscribing: nothing can come in between.
    const early = this.#earlyEvents?.() ?? [];
    this.#guard(() => {
      for (const event of early) this.#onEvent(event);
    });
    this.#unsubscribe = this.#feed.subscribe((event) => this.#guard(() => this.#onEvent(event)));
    // The pair list may have come before the ladder was up.
    const pairs = this.#feed.pairs?.() ?? [];
    if (pairs.length > 0) this.#onEvent({ type: "pairs", symbols: pairs });
    this.#ticker = setInterval(
      () =>
        this.#guard(() => {
          if (this.#resumedAt !== undefined) this.#feed.refresh?.();
          if (this.#clockDue() === 0) this.#refresh();
        }),
      this.#tickMs,
    );
    this.#ticker.unref();
    this.#guard(() => {
      const latest = this.#feed.latest();
      if (latest !== undefined && latest !== this.#view) this.setView(latest);
      else this.#refresh();
    });
  }

  dispose(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    if (this.#flashTimer !== undefined) clearTimeout(this.#flashTimer);
    if (this.#laterTimer !== undefined) clearTimeout(this.#laterTimer);
    this.#laterTimer = undefined;
    this.#ticker = undefined;
    this.#flashTimer = undefined;
    this.#listeners.clear();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): Screen => this.#screen;

  get selectedSymbol(): string | undefined {
    return this.#symbolList()[this.#ui.selected];
  }

  get helpShown(): boolean {
    return this.#ui.help;
  }

  /**
   * Which keys apply now: none but the quit keys while the pane is too small (nothing else could be seen to
   * happen); else the search's, the help's, the board's, the tape overlay's or the ladder's.
   */
  get mode(): KeyMode {
    if (this.#screen.kind === "too-small") return "too-small";
    if (this.#ui.search !== undefined) return "search";
    if (this.#ui.help) return "help";
    if (this.#ui.board) return this.#boardHome ? "board" : "board-from-ladder";
    if (this.#screen.kind === "tape") return "tape";
    return this.#ui.fromBoard ? "from-board" : "main";
  }

  /** Whether the board is shown. */
  get boardShown(): boolean {
    return this.#ui.board;
  }

  /** The symbols watched, in order (as given, then as added). */
  get symbols(): readonly string[] {
    return this.#symbolList();
  }

  /** Grouping factor (ticks) of the selected symbol. */
  get group(): number {
    return this.#groupOf(this.selectedSymbol);
  }

  /** Levels per side last asked of the feed. */
  get levels(): number {
    return this.#levels;
  }

  /**
   * The process was stopped (Ctrl-Z, SIGSTOP) and runs again. The view held was made before the stop, and the
   * feed, stopped too, has not read what the exchange sent meanwhile: drawn as it is, it showed the old
   * prices as live. Until a view reflecting a frame received since comes (the feed's word on what came
   * meanwhile: lagging, then live once caught up), every verified book is shown lagging, by at least the
   * time since its newest frame. The feed's first view after a stop may still be of the old frames, as
   * live; a market that sends nothing new publishes no view at all: so the feed is asked for a whole view
   * now and at every clock tick until then. A view on a socket that is not open (stopped, reconnecting, a
   * replay that has ended) shows no book live, and every book it shows live later is of a frame received
   * since: so such a view ends the wait, and asking stops.
   */
  resumed(): void {
    if (this.#view !== undefined && !connectionOpen(this.#view.connection.state)) return;
    this.#resumedAt = this.#now();
    this.#feed.refresh?.();
    this.#refresh();
  }

  setView(view: FeedView): void {
    if (
      this.#resumedAt !== undefined &&
      (view.receivedAt >= this.#resumedAt || !connectionOpen(view.connection.state))
    )
      this.#resumedAt = undefined;
    const before = this.#view;
    this.#lastViewAt = this.#now();
    this.#view = view;
    // Once per view: each book's spread into its window; full figures only when the board asks.
    this.#figures.update(view.books, view.connection.state, this.#lastViewAt);
    this.#trackFlash();
    const wait = this.#builtAt + this.#boardFrameMs - this.#lastViewAt;
    if (this.#ui.board && wait > 0 && !statesChanged(before, view)) this.#refreshWithin(wait);
    else this.#refresh();
  }

  setSize(columns: number, rows: number): void {
    if (!(columns > 0 && rows > 0)) return;
    if (columns === this.#ui.columns && rows === this.#ui.rows) return;
    this.#ui = { ...this.#ui, columns, rows };
    this.#refresh();
  }

  dispatch(action: Exclude<KeyAction, { type: "quit" | "suspend" | "redraw" }>): void {
    this.#boardFirst = false;
    const count = this.#symbolList().length;
    const ui = this.#ui;
    switch (action.type) {
      case "next":
        if (count > 0) this.#select((ui.selected + 1) % count);
        break;
      case "previous":
        if (count > 0) this.#select((ui.selected - 1 + count) % count);
        break;
      case "jump":
        if (action.index < count) this.#select(action.index);
        break;
      case "coarser":
      case "finer": {
        const symbol = this.selectedSymbol;
        if (symbol === undefined) break;
        const current = this.#groupOf(symbol);
        const next = action.type === "coarser" ? coarser(current) : finer(current);
        const groups = new Map(ui.groups);
        groups.set(symbol, next);
        this.#ui = { ...ui, groups };
        this.#trackFlash();
        break;
      }
      case "toggle-help":
        this.#ui = { ...ui, help: !ui.help, helpScroll: 0 };
        break;
      case "scroll": {
        const screen = this.#screen;
        const from = screen.kind === "help" ? screen.scroll : ui.helpScroll;
        const page = Math.max(1, (screen.kind === "help" ? screen.help.length : 1) - 1);
        const by = action.by === "page-down" ? page : action.by === "page-up" ? -page : action.by;
        this.#ui = { ...ui, helpScroll: Math.max(0, from + by) };
        break;
      }
      case "close":
        this.#ui = { ...ui, help: false, helpScroll: 0, search: undefined };
        break;
      case "open-search":
        this.#ui = { ...ui, search: { query: "", cursor: 0 } };
        break;
      case "search-type":
        if (ui.search !== undefined && ui.search.query.length < MAX_QUERY)
          this.#ui = {
            ...ui,
            search: { query: (ui.search.query + action.text).slice(0, MAX_QUERY), cursor: 0 },
          };
        break;
      case "search-erase":
        if (ui.search !== undefined)
          this.#ui = { ...ui, search: { query: erased(ui.search.query, action.what), cursor: 0 } };
        break;
      case "search-move":
        if (ui.search !== undefined) {
          const count = matchPairs(this.#pairs, ui.search.query).length;
          const cursor = Math.min(Math.max(0, ui.search.cursor + action.by), Math.max(0, count - 1));
          this.#ui = { ...ui, search: { ...ui.search, cursor } };
        }
        break;
      case "search-enter":
        if (ui.search !== undefined) this.#addChosen(ui.search);
        break;
      case "remove-symbol":
        this.#removeSelected();
        break;
      case "save":
        this.#save();
        break;
      case "paste-ignored":
        this.#notices.push(
          "a paste is not read as keys: ignored (/ opens the search, which takes one)",
          "warn",
          this.#now(),
        );
        break;
      case "toggle-tape":
        this.#ui =
          ui.columns >= WIDE_COLUMNS
            ? { ...ui, wideTapeHidden: !ui.wideTapeHidden }
            : { ...ui, narrowTapeShown: !ui.narrowTapeShown };
        break;
      case "toggle-board":
        this.#ui = { ...ui, board: !ui.board, fromBoard: false };
        this.#trackFlash();
        break;
      case "board-open":
        this.#ui = { ...ui, board: false, fromBoard: true };
        this.#trackFlash();
        break;
      case "board-sort":
        this.#ui = { ...ui, boardSort: nextSort(ui.boardSort) };
        break;
      case "board-move":
        this.#boardMove(action.by);
        break;
      default:
        action satisfies never;
    }
    this.#refresh();
  }

  /** ↑ ↓ PgUp PgDn on the board: through the rows in the order shown, no wrap; the selection is a symbol. */
  #boardMove(by: number | "page-up" | "page-down"): void {
    const order = this.#boardOrder;
    if (order.length === 0) return;
    const at = Math.max(0, order.indexOf(this.selectedSymbol ?? ""));
    const step = by === "page-down" ? this.#boardPage : by === "page-up" ? -this.#boardPage : by;
    const target = order[Math.min(order.length - 1, Math.max(0, at + step))]!;
    const index = this.#symbolList().indexOf(target);
    if (index >= 0) this.#select(index);
  }

  /** Enter in the search: the pair under the cursor (or a typed v2 name) is watched and selected. */
  #addChosen(search: SearchState): void {
    const symbol = searchChoice(this.#pairs, search);
    if (symbol === undefined) return;
    const list = this.#symbolList();
    this.#ui = { ...this.#ui, search: undefined };
    const at = list.indexOf(symbol);
    if (at >= 0) {
      this.#select(at);
      return;
    }
    if (this.#feed.addSymbol === undefined) {
      this.#notices.push(`cannot add ${symbol}: this feed takes no new symbols`, "warn", this.#now());
      return;
    }
    this.#symbols = [...list, symbol];
    this.#feed.addSymbol(symbol);
    this.#select(this.#symbols.length - 1);
  }

  /** `x`: the selected symbol is no longer watched (the last one stays). */
  #removeSelected(): void {
    const list = this.#symbolList();
    const symbol = this.selectedSymbol;
    if (symbol === undefined) return;
    if (list.length <= 1) {
      this.#notices.push(
        `${symbol} is the last symbol: add another (/) before removing it`,
        "warn",
        this.#now(),
      );
      return;
    }
    if (this.#feed.removeSymbol === undefined) return;
    this.#symbols = list.filter((s) => s !== symbol);
    this.#feed.removeSymbol(symbol);
    const groups = new Map(this.#ui.groups);
    groups.delete(symbol);
    this.#depths.delete(symbol);
    this.#baseDepths.delete(symbol);
    const selected = Math.min(this.#ui.selected, this.#symbols.length - 1);
    this.#ui = { ...this.#ui, groups, selected };
    this.#flash = undefined;
    this.#trackFlash();
  }

  /** `s`: the watchlist goes to the config file; the notice line says where, or why not. */
  #save(): void {
    const symbols = [...this.#symbolList()];
    if (this.#onSave === undefined) {
      this.#notices.push("nowhere to save the watchlist in this mode", "warn", this.#now());
      return;
    }
    const plural = symbols.length === 1 ? "symbol" : "symbols";
    // Worded to fit 80 columns with the reason whole and the path cut in its middle to `…/config.toml`.
    this.#onSave(symbols).then(
      (saved) =>
        this.#guard(() => {
          const { path } = saved;
          if (saved.kind === "saved")
            this.#notify(`saved ${symbols.length} ${plural} to ${path}`, "good", path);
          else {
            const where = saved.line === undefined ? "" : `, line ${saved.line}`;
            this.#notify(`not saved: ${path}${where}: ${saved.message}`, "warn", path);
          }
        }),
      (error: unknown) =>
        this.#guard(() =>
          this.#notify(`not saved: ${error instanceof Error ? error.message : String(error)}`, "warn"),
        ),
    );
  }

  #notify(text: string, role: "warn" | "good", path?: string): void {
    this.#notices.push(text, role, this.#now(), path);
    this.#refresh();
  }

  #select(index: number): void {
    if (index === this.#ui.selected) return;
    this.#ui = { ...this.#ui, selected: index };
    this.#flash = undefined;
    this.#trackFlash();
  }

  #symbolList(): readonly string[] {
    return this.#symbols.length > 0 ? this.#symbols : (this.#view?.books.map((b) => b.symbol) ?? []);
  }

  #groupOf(symbol: string | undefined): number {
    return symbol === undefined ? 1 : (this.#ui.groups.get(symbol) ?? 1);
  }

  #onEvent(event: FeedEvent): void {
    switch (event.type) {
      case "view":
        this.setView(event.view);
        return;
      case "pairs":
        // Network text: only v2 names are offered (and so nothing a terminal could act on).
        this.#pairs = event.symbols.filter((s) => PAIR_NAME.test(s));
        if (this.#ui.search !== undefined) this.#refresh();
        return;
      case "error": {
        const malformed = this.#view?.malformed ?? 0;
        const text = event.message.startsWith("malformed frame")
          ? `${event.message} (${malformed + 1} malformed since start)`
          : event.message;
        this.#notify(text, "warn");
        return;
      }
      case "rejected":
        this.#notify(`${event.symbol} rejected: ${event.reason}`, "warn");
        return;
      case "nothing-to-watch":
        this.#nothingToWatch = event.message;
        this.#notify(event.message, "warn");
        return;
      case "notice":
        this.#notify(event.message, "warn");
        return;
      case "recording-failed":
        this.#notify(`recording stopped, ${event.path} is incomplete: ${event.reason}`, "warn");
        return;
      default:
        break;
    }
    // Trades, tickers, instruments, the exchange's status (its changes also come as notices).
    if (this.#market.apply(event, this.#now()) !== undefined) this.#marketChanged();
  }

  /**
   * Trades come at wire rate: what they change is drawn with the next view (the feed's frame rate), or, if
   * no view comes within a frame interval, by one timer then; never a frame per trade.
   */
  #marketChanged(): void {
    this.#refreshWithin(this.#frameMs);
  }

  /** Refreshes in `ms` unless something refreshes first (a refresh already put off stays as it is). */
  #refreshWithin(ms: number): void {
    if (this.#laterTimer !== undefined || this.#unsubscribe === undefined) return;
    this.#laterTimer = setTimeout(() => {
      this.#laterTimer = undefined;
      this.#guard(() => this.#refresh());
    }, ms);
    this.#laterTimer.unref();
  }

  /** Remembers the selected book's sizes so the next view can flash what changed. */
  #trackFlash(): void {
    if (this.#ui.board) {
      this.#flash = undefined;
      return;
    }
    const symbol = this.selectedSymbol;
    const book = this.#view?.books.find((b) => b.symbol === symbol);
    if (book === undefined || displayState(book, this.#view?.connection) !== "live") {
      this.#flash = undefined;
      return;
    }
    const group = this.#groupOf(symbol);
    const grouped = groupBook(book, group, this.#market.of(symbol, this.#now())?.pair);
    this.#flash = updateFlash(
      this.#flash,
      `${symbol}|${group}`,
      grouped.asks,
      grouped.bids,
      this.#now(),
      this.#flashMs,
    );
  }

  #build(): Screen {
    const symbol = this.selectedSymbol;
    const now = this.#now();
    const notice = this.#notices.current(now);
    return buildScreen({
      market: this.#market.of(symbol, now),
      system: this.#market.system,
      narrowTapeShown: this.#ui.narrowTapeShown,
      wideTapeHidden: this.#ui.wideTapeHidden,
      vapWindowMs: this.#vapWindowMs,
      view: this.#viewShown(now),
      symbols: this.#symbolList(),
      selected: this.#ui.selected,
      group: this.#groupOf(symbol),
      help: this.#ui.help,
      helpScroll: this.#ui.helpScroll,
      columns: this.#ui.columns,
      rows: this.#ui.rows,
      flash: this.#flash,
      now,
      ...(this.#ui.search === undefined ? {} : { search: { pairs: this.#pairs, state: this.#ui.search } }),
      ...(notice === undefined ? {} : { notice }),
      nothingToWatch: this.#nothingToWatch,
      ...(this.#ui.board
        ? {
            board: {
              figures: this.#figures,
              sort: this.#ui.boardSort,
              top: this.#ui.boardTop,
              bands: this.#figureOptions.bands,
              notional: this.#figureOptions.notional,
            },
          }
        : {}),
    });
  }

  /** The view as drawn: after a stop, until the feed has read what came meanwhile, not current (see resumed). */
  #viewShown(now: number): FeedView | undefined {
    const view = this.#view;
    if (this.#resumedAt === undefined || view === undefined) return view;
    const lag = now - view.receivedAt;
    return { ...view, books: view.books.map((b) => laggingBy(b, lag, RESUMED_REASON)) };
  }

  #refresh(): void {
    if (this.#laterTimer !== undefined) {
      clearTimeout(this.#laterTimer);
      this.#laterTimer = undefined;
    }
    this.#builtAt = this.#now();
    let screen = this.#build();
    if (screen.kind === "board" && this.#boardFirst && screen.order.length > 0) {
      const first = this.#symbolList().indexOf(screen.order[0]!);
      if (first >= 0 && first !== this.#ui.selected) {
        this.#select(first);
        screen = this.#build();
      }
    }
    if (screen.kind === "board") {
      this.#boardOrder = screen.order;
      this.#boardPage = Math.max(1, screen.rows.length);
      if (screen.top !== this.#ui.boardTop) this.#ui = { ...this.#ui, boardTop: screen.top };
    }
    this.#askLevels(screen);
    this.#askDepth(screen);
    this.#scheduleFlashEnd();
    // Lines that did not change keep their identity, so components see at once what did.
    const kept = keepUnchanged(this.#screen, screen);
    if (kept === this.#screen) return;
    this.#screen = kept;
    for (const listener of [...this.#listeners]) listener();
  }

  /**
   * Enough levels to fill the rows at the selected grouping; on the board, every level each book holds
   * (its depth), so the liquidity and cost walks see all of it and know when they run off it.
   */
  #askLevels(screen: Screen): void {
    if (screen.kind === "board") {
      let depth = 0;
      for (const book of this.#view?.books ?? []) depth = Math.max(depth, book.depth ?? 0);
      if (depth <= 0) return;
      const all = Math.min(this.#maxLevels, depth);
      if (this.#ui.boardSort === "liquidity" || this.#ui.boardSort === "cost") {
        // Every book's figures decide the order.
        this.#setLevels(all);
        return;
      }
      // Sorted by spread or symbol, the touch decides the order: every level only for the rows shown, and a
      // page either side, asked again only when a row shown is outside them.
      const shown = screen.order.slice(screen.top, screen.top + screen.page);
      if (this.#levelsKey.startsWith("deep|") && shown.every((s) => this.#deep.has(s))) return;
      const from = Math.max(0, screen.top - screen.page);
      this.#deep = new Set(screen.order.slice(from, screen.top + 2 * screen.page));
      this.#setLevels(1, { symbols: [...this.#deep], levels: all });
      return;
    }
    if (screen.kind === "too-small" || screen.rowsPerSide <= 0) return;
    this.#setLevels(Math.min(this.#maxLevels, screen.rowsPerSide * this.#groupOf(this.selectedSymbol)));
  }

  #setLevels(wanted: number, deep?: DeepLevels): void {
    const key =
      deep === undefined ? `all|${wanted}` : `deep|${wanted}|${deep.levels}|${deep.symbols.join(",")}`;
    if (key === this.#levelsKey) return;
    this.#levelsKey = key;
    this.#levels = wanted;
    if (deep === undefined) this.#feed.setLevels(wanted);
    else this.#feed.setLevels(wanted, deep);
  }

  /**
   * A deeper book when the selected symbol's grouping leaves rows empty, a shallower one when a lower
   * depth would fill them with room to spare (see depth.ts); at most one change per `depthHoldMs`.
   */
  #askDepth(screen: Screen): void {
    // A replay serves each book at its recorded depth, and a new subscribe would skip it ahead.
    if (screen.kind !== "ladder" || this.#feed.setDepth === undefined || this.#replay) return;
    const symbol = this.selectedSymbol;
    const book = this.#view?.books.find((b) => b.symbol === symbol);
    if (symbol === undefined || book?.depth === undefined || book.state !== "live") return;
    if (!this.#baseDepths.has(symbol)) this.#baseDepths.set(symbol, this.#baseDepth ?? book.depth);
    const now = this.#now();
    const last = this.#depths.get(symbol);
    if (last !== undefined && (last.depth !== book.depth || now - last.at < this.#depthHoldMs)) return;
    const next = depthChange(book, this.#groupOf(symbol), screen.rowsPerSide, this.#baseDepths.get(symbol)!);
    if (next === undefined) return;
    this.#depths.set(symbol, { depth: next, at: now });
    this.#feed.setDepth(symbol, next);
  }

  /** A flash must end on time even if no new view arrives. */
  #scheduleFlashEnd(): void {
    if (this.#flashTimer !== undefined || this.#unsubscribe === undefined) return;
    const now = this.#now();
    const end = nextFlashEnd(this.#flash, now);
    if (end === undefined) return;
    this.#armFlashTimer(Math.max(1, end - now + 1));
  }

  #armFlashTimer(ms: number): void {
    this.#flashTimer = setTimeout(() => {
      this.#flashTimer = undefined;
      this.#guard(() => {
        const wait = this.#clockDue();
        if (wait === 0) this.#refresh();
        else this.#armFlashTimer(wait);
      });
    }, ms);
    this.#flashTimer.unref();
  }

  /**
   * 0 when a timer's redraw (clocks, the end of a flash) is due now, else the ms to wait. While views keep
   * coming, each redraws the whole screen at its own time, flashes and clocks included, so a timer's redraw
   * waits until none has come for `quietMs`: drawn just before a view's, its frame held that view's frame
   * back by up to Ink's throttle interval (maxFps), about once a second at 5 × 1,000 msg/s.
   */
  #clockDue(): number {
    const quiet = this.#now() - this.#lastViewAt;
    return quiet >= this.#quietMs ? 0 : Math.max(1, Math.ceil(this.#quietMs - quiet));
  }

  #guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      if (this.#onError === undefined) throw error;
      this.#onError(error);
    }
  }
}
