import { describe, expect, it } from "vitest";
import { buildScreen } from "../../src/ui/view-model/screen.js";
import type { ScreenInput } from "../../src/ui/view-model/screen.js";
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

describe("the ladder once recording has stopped", () => {
  const recording = { path: "/data/btc\u001b[2J.jsonl", reason: "ENOSPC: no space left on device, write" };

  it("shows a bold warning line above the status bar naming the file as incomplete, the frame no taller", () => {
    const before = buildScreen(input());
    const after = buildScreen(input({ view: { ...feedView([btcBook()]), recording } }));
    expect(before.status).toHaveLength(1);
    expect(after.status).toHaveLength(2);
    const warning = after.status[0]!;
    expect(warning.text).toBe(
      " ✗ recording stopped, /data/btc[2J.jsonl is incomplete: ENOSPC: no space left on device, write",
    );
    expect(warning.segments[0]).toMatchObject({ role: "warn", bold: true });
    expect(after.status[1]).toEqual(before.status[0]);
    expect(after.height).toBe(before.height);
  });

  it("drops the reason first and never draws wider than the pane", () => {
    for (const columns of [40, 50, 60, 80]) {
      const s = buildScreen(input({ columns, view: { ...feedView([btcBook()]), recording } }));
      const text = s.status[0]!.text;
      expect([...text].length).toBeLessThanOrEqual(columns);
      expect(text).toMatch(/^ ✗ recording stopped/);
    }
    const narrow = buildScreen(input({ columns: 60, view: { ...feedView([btcBook()]), recording } }));
    expect(narrow.status[0]!.text).toBe(" ✗ recording stopped, /data/btc[2J.jsonl is incomplete");
  });
});
