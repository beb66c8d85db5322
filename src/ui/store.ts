import type { FeedClient, FeedEvent, FeedView } from "../feed/types.js";
import type { FlashMemory } from "./view-model/flash.js";
import { FLASH_MS, nextFlashEnd, updateFlash } from "./view-model/flash.js";
import { coarser, finer } from "./view-model/grouping.js";
import { groupBook } from "./view-model/ladder.js";
import type { Screen } from "./view-model/screen.js";
import { buildScreen, keepUnchanged } from "./view-model/screen.js";
import { displayState } from "./view-model/state.js";
import type { KeyAction } from "./keys.js";
import { sanitize } from "../text/sanitize.js";
import { MarketContext } from "./market.js";

/** The part of the feed client the ladder uses. */
export type FeedSource = Pick<FeedClient, "subscribe" | "latest" | "setLevels">;

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
  /** The volume-at-price column's window (`--vap-window`), ms; default 5 minutes. */
  readonly vapWindowMs?: number;
  /** Trades, tickers and the like redraw at most this often when no view comes (the feed's frame interval). */
  readonly frameMs?: number;
  /** How long a notice (a system status change) stays above the status bar. */
  readonly noticeMs?: number;
  /** Market events heard before the store listened (see app/market-buffer.ts); taken once, at start. */
  readonly earlyEvents?: () => readonly FeedEvent[];
};

type UiState = {
  readonly selected: number;
  readonly groups: ReadonlyMap<string, number>;
  readonly help: boolean;
  /** `t`: the tape shown in a narrow pane, hidden in a wide one. */
  readonly tape: boolean;
  readonly columns: number;
  readonly rows: number;
};

/**
 * The ladder's state outside React: the latest feed view, the UI state (selection, grouping, help, size)
 * and the screen built from them. Components read it with `useSyncExternalStore`. The screen is rebuilt
 * when a view arrives (the publisher's tick), on a key, on resize and on a slow clock tick — never per wire
 * message — and listeners hear only of a screen that actually changed.
 */
export class LadderStore {
  readonly #feed: FeedSource;
  readonly #symbols: readonly string[];
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
  #unsubscribe: (() => void) | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #flashTimer: ReturnType<typeof setTimeout> | undefined;
  #lastViewAt = Number.NEGATIVE_INFINITY;
  readonly #market: MarketContext;
  readonly #vapWindowMs: number;
  readonly #frameMs: number;
  readonly #noticeMs: number;
  readonly #earlyEvents: (() => readonly FeedEvent[]) | undefined;
  #marketTimer: ReturnType<typeof setTimeout> | undefined;
  #notice: { readonly text: string; readonly until: number } | undefined;

  constructor(feed: FeedSource, options: LadderStoreOptions) {
    this.#feed = feed;
    this.#symbols = options.symbols;
    this.#now = options.now ?? Date.now;
    this.#tickMs = options.tickMs ?? 1000;
    this.#quietMs = options.quietMs ?? 100;
    this.#flashMs = options.flashMs ?? FLASH_MS;
    this.#maxLevels = options.maxLevels ?? 1000;
    this.#onError = options.onError;
    this.#vapWindowMs = options.vapWindowMs ?? 300_000;
    this.#frameMs = options.frameMs ?? 33;
    this.#noticeMs = options.noticeMs ?? 10_000;
    this.#earlyEvents = options.earlyEvents;
    this.#market = new MarketContext(this.#vapWindowMs);
    this.#ui = {
      selected: 0,
      groups: new Map(),
      help: false,
      tape: false,
      columns: options.columns,
      rows: options.rows,
    };
    this.#view = feed.latest();
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
    this.#ticker = setInterval(
      () =>
        this.#guard(() => {
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
    if (this.#marketTimer !== undefined) clearTimeout(this.#marketTimer);
    this.#marketTimer = undefined;
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

  /** Whether the tape is drawn in place of the ladder (a narrow pane after `t`): Esc closes it. */
  get tapeOverlayShown(): boolean {
    return this.#screen.kind === "tape";
  }

  /** Grouping factor (ticks) of the selected symbol. */
  get group(): number {
    return this.#groupOf(this.selectedSymbol);
  }

  /** Levels per side last asked of the feed. */
  get levels(): number {
    return this.#levels;
  }

  setView(view: FeedView): void {
    this.#lastViewAt = this.#now();
    this.#view = view;
    this.#trackFlash();
    this.#refresh();
  }

  setSize(columns: number, rows: number): void {
    if (!(columns > 0 && rows > 0)) return;
    if (columns === this.#ui.columns && rows === this.#ui.rows) return;
    this.#ui = { ...this.#ui, columns, rows };
    this.#refresh();
  }

  dispatch(action: Exclude<KeyAction, { type: "quit" }>): void {
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
        this.#ui = { ...ui, help: !ui.help };
        break;
      case "toggle-tape":
        this.#ui = { ...ui, tape: !ui.tape };
        break;
      default:
        action satisfies never;
    }
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
    if (event.type === "view") {
      this.setView(event.view);
      return;
    }
    const change = this.#market.apply(event, this.#now());
    if (change === undefined) return;
    if (change.kind === "system") {
      const system = this.#market.system ?? "";
      // The first word heard is news only when it is not `online`; every change after it is.
      if (change.previous !== undefined || system !== "online") {
        const from = change.previous === undefined ? "" : ` (was ${sanitize(change.previous)})`;
        this.#notice = {
          text: `exchange status: ${sanitize(system)}${from}`,
          until: this.#now() + this.#noticeMs,
        };
      }
    }
    this.#marketChanged();
  }

  /**
   * Trades come at wire rate: what they change is drawn with the next view (the feed's frame rate), or, if
   * no view comes within a frame interval, by one timer then; never a frame per trade.
   */
  #marketChanged(): void {
    if (this.#marketTimer !== undefined || this.#unsubscribe === undefined) return;
    this.#marketTimer = setTimeout(() => {
      this.#marketTimer = undefined;
      this.#guard(() => this.#refresh());
    }, this.#frameMs);
    this.#marketTimer.unref();
  }

  /** Remembers the selected book's sizes so the next view can flash what changed. */
  #trackFlash(): void {
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
    const notice = this.#notice !== undefined && now < this.#notice.until ? this.#notice.text : undefined;
    return buildScreen({
      market: this.#market.of(symbol, now),
      system: this.#market.system,
      tapeToggled: this.#ui.tape,
      vapWindowMs: this.#vapWindowMs,
      notice,
      view: this.#view,
      symbols: this.#symbolList(),
      selected: this.#ui.selected,
      group: this.#groupOf(symbol),
      help: this.#ui.help,
      columns: this.#ui.columns,
      rows: this.#ui.rows,
      flash: this.#flash,
      now: this.#now(),
    });
  }

  #refresh(): void {
    if (this.#marketTimer !== undefined) {
      clearTimeout(this.#marketTimer);
      this.#marketTimer = undefined;
    }
    const screen = this.#build();
    this.#askLevels(screen);
    this.#scheduleFlashEnd();
    // Lines that did not change keep their identity, so components see at once what did.
    const kept = keepUnchanged(this.#screen, screen);
    if (kept === this.#screen) return;
    this.#screen = kept;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Enough levels to fill the rows at the selected grouping. */
  #askLevels(screen: Screen): void {
    if (screen.kind === "too-small" || screen.rowsPerSide <= 0) return;
    const wanted = Math.min(this.#maxLevels, screen.rowsPerSide * this.#groupOf(this.selectedSymbol));
    if (wanted === this.#levels) return;
    this.#levels = wanted;
    this.#feed.setLevels(wanted);
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
