import { afterEach, describe, expect, it } from "vitest";
import { keyAction, keyPresses, PASTE_START, pasteAction, PLAIN_KEY } from "../../src/ui/keys.js";
import { KEYS } from "../../src/ui/view-model/help.js";
import { LadderStore } from "../../src/ui/store.js";
import { screenLines } from "../../src/ui/view-model/screen.js";
import type { FeedView } from "../../src/feed/types.js";
import { btcBook, ethBook, feedView, levels, MemoryFeed, NOW } from "./helpers/views.js";

const stores: LadderStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

function makeStore(feed: MemoryFeed, options: { flashMs?: number; now?: () => number; rows?: number } = {}) {
  const store = new LadderStore(feed, {
    symbols: ["BTC/USD", "ETH/USD"],
    columns: 80,
    rows: options.rows ?? 24,
    now: options.now ?? (() => NOW),
    ...(options.flashMs === undefined ? {} : { flashMs: options.flashMs }),
  });
  stores.push(store);
  return store;
}

const text = (store: LadderStore) =>
  screenLines(store.getSnapshot())
    .map((l) => l.text)
    .join("\n");

describe("the ladder store", () => {
  it("tells listeners only about a screen that changed, not about every view", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    store.start();
    let notified = 0;
    store.subscribe(() => (notified += 1));
    feed.publish(feedView([btcBook(), ethBook()]));
    feed.emit({ type: "ticker", symbol: "BTC/USD", last: "63388.7" });
    expect(notified).toBe(0);
    feed.publish(feedView([btcBook({ bids: levels([["63388.7", "1.00000000"]]) }), ethBook()]));
    expect(notified).toBe(1);
  });

  it("asks the feed for the levels that fill the rows, again on resize and grouping", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed, { rows: 24 });
    store.start();
    const first = store.getSnapshot().rowsPerSide;
    expect(feed.levelRequests).toEqual([first]);
    store.setSize(80, 40);
    expect(feed.levelRequests.at(-1)).toBe(store.getSnapshot().rowsPerSide);
    expect(store.getSnapshot().rowsPerSide).toBeGreaterThan(first);
    store.dispatch({ type: "coarser" });
    expect(store.group).toBe(2);
    expect(feed.levelRequests.at(-1)).toBe(store.getSnapshot().rowsPerSide * 2);
    // Each symbol keeps its own grouping.
    store.dispatch({ type: "next" });
    expect(store.group).toBe(1);
    expect(feed.levelRequests.at(-1)).toBe(store.getSnapshot().rowsPerSide);
  });

  it("ends a flash on time even when no new view arrives", async () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed, { flashMs: 60, now: Date.now });
    store.start();
    feed.publish(feedView([btcBook({ bids: levels([["63388.7", "5.00000000"]]) }), ethBook()]));
    expect(text(store)).toContain("5.00000000▲");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(text(store)).not.toContain("▲");
  });

  it("leaves clocks and flash ends to the views while views keep coming, and draws them once views stop", async () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = new LadderStore(feed, {
      symbols: ["BTC/USD", "ETH/USD"],
      columns: 80,
      rows: 24,
      flashMs: 10,
      tickMs: 15,
      // Far more than the 30 ms between views, so a slow machine does not make the views look stopped.
      quietMs: 300,
    });
    stores.push(store);
    store.start();
    let publishing = false;
    let byTimer = 0;
    store.subscribe(() => {
      if (!publishing) byTimer += 1;
    });
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // A view every 30 ms for 0.6 s, each changing a size: a flash starts with each and ends 10 ms later.
    let flashing = 0;
    for (let i = 0; i < 20; i++) {
      publishing = true;
      const size = i % 2 === 0 ? "5.00000000" : "6.00000000";
      feed.publish(feedView([btcBook({ bids: levels([["63388.7", size]]) }), ethBook()]));
      publishing = false;
      if (/[▲▼]/.test(text(store))) flashing += 1;
      await sleep(30);
    }
    // Every view drew its flash; no frame came from the clock or a flash's end in between.
    expect(flashing).toBe(20);
    expect(byTimer).toBe(0);
    // Views stop: the last flash ends by a timer, about quietMs after the last view.
    await sleep(700);
    expect(byTimer).toBeGreaterThan(0);
    expect(text(store)).not.toMatch(/[▲▼]/);
  });

  it("keeps each layout's tape default across a resize: t means only the layout it was pressed in", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    store.start();
    const kind = () => store.getSnapshot().kind;
    const besideShown = () => {
      const s = store.getSnapshot();
      return s.kind === "ladder" && s.tape !== undefined;
    };
    // Wide: t hides the side tape; narrowed, the ladder is shown (no key pressed while narrow).
    store.setSize(120, 30);
    expect(besideShown()).toBe(true);
    store.dispatch({ type: "toggle-tape" });
    expect(besideShown()).toBe(false);
    store.setSize(80, 24);
    expect(kind()).toBe("ladder");
    expect(store.mode).toBe("main");
    // Widened again, the side tape stays hidden as it was left there.
    store.setSize(120, 30);
    expect(besideShown()).toBe(false);
    store.dispatch({ type: "toggle-tape" });
    expect(besideShown()).toBe(true);
    // Narrow: t shows the tape in place of the ladder; widened, the side tape is shown as before.
    store.setSize(80, 24);
    store.dispatch({ type: "toggle-tape" });
    expect(kind()).toBe("tape");
    expect(store.mode).toBe("tape");
    store.setSize(160, 30);
    expect(besideShown()).toBe(true);
    // Narrowed again, the tape is back in place of the ladder, and Esc (t in tape mode) closes it.
    store.setSize(80, 24);
    expect(kind()).toBe("tape");
    store.dispatch({ type: "toggle-tape" });
    expect(kind()).toBe("ladder");
    store.setSize(120, 30);
    expect(besideShown()).toBe(true);
  });

  it("reads keys in the too-small mode while the pane is too small, whatever was open, and as before after", () => {
    const opened = [
      [undefined, "main"],
      [{ type: "toggle-help" }, "help"],
      [{ type: "open-search" }, "search"],
      [{ type: "toggle-board" }, "board-from-ladder"],
    ] as const;
    for (const [open, mode] of opened) {
      const store = makeStore(new MemoryFeed(feedView([btcBook(), ethBook()])));
      store.start();
      if (open !== undefined) store.dispatch(open);
      expect(store.mode).toBe(mode);
      store.setSize(30, 8);
      expect(store.getSnapshot().kind).toBe("too-small");
      expect(store.mode).toBe("too-small");
      store.setSize(80, 24);
      expect(store.mode).toBe(mode);
    }
  });

  it("after a stop, draws the books it held as lagging until a view of a frame received since, asking the feed for one", async () => {
    let now = NOW;
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = new LadderStore(feed, {
      symbols: ["BTC/USD", "ETH/USD"],
      columns: 80,
      rows: 24,
      now: () => now,
      tickMs: 5,
    });
    stores.push(store);
    store.start();
    const header = (): string => text(store).split("\n").slice(0, 2).join("\n");
    expect(header()).toMatch(/BTC\/USD ● live[\s\S]*ETH\/USD ● live/);
    now = NOW + 15_000;
    store.resumed();
    expect(feed.refreshes).toBe(1);
    expect(header()).toMatch(/BTC\/USD ◔ lagging[\s\S]*ETH\/USD ◔ lagging/);
    expect(text(store)).toMatch(/LAGGING — lag 15 s behind the exchange/);
    // The feed's first view after the stop may be of the frames from before it, and say live: not drawn so.
    feed.publish({ ...feedView([btcBook(), ethBook()]), publishedAt: now });
    expect(header()).toMatch(/BTC\/USD ◔ lagging/);
    // Until one comes, the feed is asked again at every clock tick (a quiet market publishes none).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(feed.refreshes).toBeGreaterThan(1);
    feed.publish({ ...feedView([btcBook(), ethBook()]), publishedAt: now, receivedAt: now });
    expect(header()).toMatch(/BTC\/USD ● live[\s\S]*ETH\/USD ● live/);
    const asked = feed.refreshes;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(feed.refreshes).toBe(asked);
  });

  it("after a stop, stops asking the feed once a view shows no book live: an ended replay, a dropped socket", async () => {
    const settle = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 50));
    const started = (view: FeedView): { store: LadderStore; feed: MemoryFeed } => {
      const feed = new MemoryFeed(view);
      const store = new LadderStore(feed, {
        symbols: ["BTC/USD"],
        columns: 80,
        rows: 24,
        now: () => NOW,
        tickMs: 5,
      });
      stores.push(store);
      store.start();
      return { store, feed };
    };
    // Stopped and run again after the replay had ended: its books never change again, nothing to wait for.
    const ended = started(feedView([btcBook()], { state: "ended" }));
    ended.store.resumed();
    await settle();
    expect(ended.feed.refreshes).toBe(0);
    expect(text(ended.store)).toMatch(/BTC\/USD ■ ended/);
    // Run again on a live socket that has dropped since: the feed's word is that nothing is live.
    const dropped = started(feedView([btcBook()]));
    dropped.store.resumed();
    dropped.feed.publish(
      feedView([btcBook()], {
        state: "reconnecting",
        attempt: 1,
        retryInMs: 1000,
        retryAt: NOW + 1000,
        reason: "closed",
      }),
    );
    const asked = dropped.feed.refreshes;
    await settle();
    expect(dropped.feed.refreshes).toBe(asked);
  });

  it("stops listening to the feed when disposed", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const store = makeStore(feed);
    store.start();
    expect(feed.listenerCount).toBe(1);
    store.dispose();
    expect(feed.listenerCount).toBe(0);
  });

  it("hands a failure while handling a feed event to onError instead of the feed", () => {
    const feed = new MemoryFeed(feedView([btcBook(), ethBook()]));
    const errors: unknown[] = [];
    const store = new LadderStore(feed, {
      symbols: ["BTC/USD"],
      columns: 80,
      rows: 24,
      now: () => NOW,
      onError: (e) => errors.push(e),
    });
    stores.push(store);
    store.start();
    // A view that breaks the view-model: a price that is not a number.
    feed.publish(feedView([btcBook({ bids: levels([["not-a-price", "1"]]) })]));
    expect(errors).toHaveLength(1);
  });
});

describe("keys", () => {
  const none = PLAIN_KEY;

  it("split a run of keys read at once into presses, each with the flags Ink gives it alone", () => {
    expect(keyPresses("q", none)).toEqual([["q", none]]);
    expect(keyPresses("", { ...none, delete: true })).toEqual([["", { ...none, delete: true }]]);
    expect(keyPresses("+A\u007f\b\r\t\u0003\u001a", none)).toEqual([
      ["+", none],
      ["A", { ...none, shift: true }],
      ["", { ...none, delete: true }],
      ["", { ...none, backspace: true }],
      ["", { ...none, return: true }],
      ["", { ...none, tab: true }],
      ["c", { ...none, ctrl: true }],
      ["z", { ...none, ctrl: true }],
    ]);
    const presses = keyPresses("eth\u007f\u007f", none).map(([input, flags]) =>
      keyAction(input, flags, "search"),
    );
    expect(presses).toEqual([
      { type: "search-type", text: "e" },
      { type: "search-type", text: "t" },
      { type: "search-type", text: "h" },
      { type: "search-erase" },
      { type: "search-erase" },
    ]);
  });

  it("map every documented key to its action", () => {
    expect(keyAction("", { ...none, rightArrow: true })).toEqual({ type: "next" });
    expect(keyAction("l", none)).toEqual({ type: "next" });
    expect(keyAction("", { ...none, tab: true })).toEqual({ type: "next" });
    expect(keyAction("", { ...none, leftArrow: true })).toEqual({ type: "previous" });
    expect(keyAction("h", none)).toEqual({ type: "previous" });
    expect(keyAction("", { ...none, tab: true, shift: true })).toEqual({ type: "previous" });
    expect(keyAction("1", none)).toEqual({ type: "jump", index: 0 });
    expect(keyAction("9", none)).toEqual({ type: "jump", index: 8 });
    expect(keyAction("0", none)).toBeUndefined();
    for (const k of ["+", "="]) expect(keyAction(k, none)).toEqual({ type: "coarser" });
    for (const k of ["-", "_", "−"]) expect(keyAction(k, none)).toEqual({ type: "finer" });
    expect(keyAction("?", none)).toEqual({ type: "toggle-help" });
    expect(keyAction("q", none)).toEqual({ type: "quit" });
    expect(keyAction("", { ...none, escape: true })).toEqual({ type: "quit" });
    expect(keyAction("c", { ...none, ctrl: true })).toEqual({ type: "quit" });
    expect(keyAction("c", none)).toBeUndefined();
    expect(keyAction("l", { ...none, ctrl: true })).toEqual({ type: "redraw" });
  });

  it("list in the help every printable key that changes the grouping, as the README does", () => {
    const printable = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), "−"];
    for (const type of ["coarser", "finer"] as const) {
      const listed = KEYS.find(([, action]) => action.startsWith(`${type} price grouping`))?.[0] ?? "";
      const keys = printable.filter((k) => keyAction(k, none)?.type === type);
      expect(keys.length, type).toBeGreaterThan(1);
      for (const k of keys) expect(listed, `${type}: ${k}`).toContain(k);
    }
  });

  it("take no key but the quit keys (and Ctrl-Z, Ctrl-L) in a pane too small, and no paste", () => {
    expect(keyAction("q", none, "too-small")).toEqual({ type: "quit" });
    expect(keyAction("", { ...none, escape: true }, "too-small")).toEqual({ type: "quit" });
    expect(keyAction("c", { ...none, ctrl: true }, "too-small")).toEqual({ type: "quit" });
    expect(keyAction("z", { ...none, ctrl: true }, "too-small")).toEqual({ type: "suspend" });
    expect(keyAction("l", { ...none, ctrl: true }, "too-small")).toEqual({ type: "redraw" });
    for (const k of ["x", "s", "/", "?", "b", "t", "1", "+", "-", "j", "o", " ", "l", "h"]) {
      expect(keyAction(k, none, "too-small"), k).toBeUndefined();
    }
    for (const flag of [
      "return",
      "tab",
      "upArrow",
      "downArrow",
      "leftArrow",
      "rightArrow",
      "delete",
    ] as const) {
      expect(keyAction("", { ...none, [flag]: true }, "too-small"), flag).toBeUndefined();
    }
    expect(keyAction("u", { ...none, ctrl: true }, "too-small")).toBeUndefined();
    expect(pasteAction(PASTE_START, "too-small")).toBeUndefined();
    expect(pasteAction("eth", "too-small")).toBeUndefined();
  });

  it("take a letter with Ctrl or Alt for no key of its own: Ctrl-S does not save, Alt-x does not remove", () => {
    const modes = ["main", "tape", "board", "board-from-ladder", "from-board", "help", "search"] as const;
    for (const mode of modes) {
      for (const letter of ["s", "x", "b", "t", "h", "q", "o", "j", "1", "/", "?", "+"]) {
        expect(keyAction(letter, { ...none, ctrl: true }, mode), `Ctrl-${letter} (${mode})`).toBeUndefined();
        expect(keyAction(letter, { ...none, meta: true }, mode), `Alt-${letter} (${mode})`).toBeUndefined();
      }
      // Keys Ink gives without a character keep their meaning with Alt (Esc pressed twice: escape with meta).
      expect(keyAction("", { ...none, escape: true, meta: true }, mode), mode).toBeDefined();
      expect(keyAction("l", { ...none, ctrl: true }, mode), mode).toEqual({ type: "redraw" });
      expect(keyAction("c", { ...none, ctrl: true }, mode), mode).toEqual({ type: "quit" });
    }
    expect(keyAction("", { ...none, rightArrow: true, meta: true })).toEqual({ type: "next" });
  });
});
