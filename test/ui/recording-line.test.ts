import { describe, expect, it } from "vitest";
import { buildScreen } from "../../src/ui/view-model/screen.js";
import type { LadderScreen, Screen, ScreenInput } from "../../src/ui/view-model/screen.js";
import { btcBook, feedView, NOW } from "./helpers/views.js";

const input = (overrides: Partial<ScreenInput> = {}): ScreenInput => ({
  view: feedView([btcBook()]),
  symbols: ["BTC/USD"],
  selected: 0,
  group: 1,
  help: false,
  columns: 100,
  rows: 24,
  flash: undefined,
  now: NOW,
  ...overrides,
});

function ladder(screen: Screen): LadderScreen {
  if (screen.kind !== "ladder") throw new Error(`expected the ladder, got ${screen.kind}`);
  return screen;
}

describe("the ladder once recording has stopped", () => {
  const recording = { path: "/data/btc\u001b[2J.jsonl", reason: "ENOSPC: no space left on device" };

  it("shows a bold warning line above the status bar naming the file as incomplete, the frame no taller", () => {
    const before = ladder(buildScreen(input()));
    const after = ladder(buildScreen(input({ view: { ...feedView([btcBook()]), recording } })));
    expect(before.notice).toBeUndefined();
    const warning = after.notice!;
    expect(warning.text).toBe(
      " ✗ recording stopped, /data/btc[2J.jsonl is incomplete: ENOSPC: no space left on device",
    );
    expect(warning.segments[0]).toMatchObject({ role: "warn", bold: true });
    expect(after.status).toEqual(before.status);
    expect(after.height).toBe(before.height);
  });

  it("drops the reason first and never draws wider than the pane", () => {
    for (const columns of [40, 50, 60, 80]) {
      const s = ladder(buildScreen(input({ columns, view: { ...feedView([btcBook()]), recording } })));
      const text = s.notice!.text;
      expect([...text].length).toBeLessThanOrEqual(columns);
      expect(text).toMatch(/^ ✗ recording stopped/);
    }
    const narrow = ladder(buildScreen(input({ columns: 60, view: { ...feedView([btcBook()]), recording } })));
    expect(narrow.notice!.text).toBe(" ✗ recording stopped, /data/btc[2J.jsonl is incomplete");
  });

  it("shortens a long path in its middle, its file name kept, before it drops the reason", () => {
    const deep = {
      path: "/home/alexandra/recordings/2026-12-07/btc-usd.jsonl",
      reason: "ENOSPC: no space left on device",
    };
    const at = (columns: number): string =>
      ladder(buildScreen(input({ columns, view: { ...feedView([btcBook()]), recording: deep } }))).notice!
        .text;
    expect(at(90)).toBe(
      " ✗ recording stopped, /ho…-07/btc-usd.jsonl is incomplete: ENOSPC: no space left on device",
    );
    expect(at(60)).toBe(" ✗ recording stopped, /home…2-07/btc-usd.jsonl is incomplete");
  });
});
