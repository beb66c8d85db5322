import chalk from "chalk";
import { Box, renderToString, Text } from "ink";
import type { ReactNode } from "react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Theme } from "../../src/ui/colors.js";
import { COLOR_THEME, MONO_THEME } from "../../src/ui/colors.js";
import { oneCellText, styleLine } from "../../src/ui/components/LineView.js";
import { buildFrame, renderFrame } from "../../src/ui/render-frame.js";
import type { Line } from "../../src/ui/view-model/line.js";
import type { Screen } from "../../src/ui/view-model/screen.js";
import { screenLines } from "../../src/ui/view-model/screen.js";
import { mount } from "./helpers/mount.js";
import { realOptions, realViews, REAL_SYMBOLS, troubled } from "./helpers/real-views.js";
import { MemoryFeed } from "./helpers/views.js";

/**
 * The flat renderer the component tree replaced: each part of the screen (header, body, status bar) as lines,
 * consecutive one-cell lines joined into one `<Text>`. The tree must draw exactly what it drew.
 */
function FlatLines({ lines, theme }: { readonly lines: readonly Line[]; readonly theme: Theme }) {
  const texts: ReactNode[] = [];
  let run: string[] = [];
  let runKey = "";
  const endRun = (): void => {
    if (run.length > 0) texts.push(<Text key={runKey}>{run.join("\n") || " "}</Text>);
    run = [];
  };
  for (const l of lines) {
    if (oneCellText(l)) {
      if (run.length === 0) runKey = l.key;
      run.push(styleLine(l, theme));
    } else {
      endRun();
      texts.push(
        <Text key={l.key} wrap="truncate">
          {l.segments.length === 0 ? " " : styleLine(l, theme)}
        </Text>,
      );
    }
  }
  endRun();
  return <>{texts}</>;
}

function flatFrame(screen: Screen, theme: Theme): string {
  const lines = screenLines(screen);
  const header = screen.kind === "too-small" || screen.kind === "board" ? 0 : screen.header.length;
  const status = screen.kind === "too-small" ? 0 : 1;
  const parts = [
    lines.slice(0, header),
    lines.slice(header, lines.length - status),
    lines.slice(lines.length - status),
  ];
  return renderToString(
    <Box flexDirection="column" width={screen.width} height={screen.height}>
      {parts.map((part, i) => (
        <FlatLines key={i} lines={part} theme={theme} />
      ))}
    </Box>,
    { columns: screen.width },
  );
}

/** Every piece a component draws (tabs, rows, lines), by key. */
function pieces(screen: Screen): Map<string, Line> {
  const all: Line[] =
    screen.kind === "too-small"
      ? [...screen.lines]
      : screen.kind === "board"
        ? [screen.title, screen.columns, ...screen.rows, screen.status]
        : [
            ...screen.header.flatMap((row) => row.tabs),
            ...(screen.kind === "ladder"
              ? [screen.ladder.titles, ...screen.ladder.asks, screen.ladder.spread, ...screen.ladder.bids]
              : screen.kind === "tape"
                ? screen.tape
                : screen.help),
            ...(screen.kind === "ladder" ? (screen.tape ?? []) : []),
            screen.status,
          ];
  return new Map(all.map((l) => [l.key, l]));
}

const sameText = (a: Line | undefined, b: Line) =>
  a !== undefined && a.text === b.text && JSON.stringify(a.segments) === JSON.stringify(b.segments);

/** Segments with a role in the pieces of `after` that draw differently from `before`'s. */
function rolesToRestyle(before: Screen, after: Screen): { pieces: number; roles: number } {
  const old = pieces(before);
  let count = 0;
  let roles = 0;
  for (const [key, l] of pieces(after)) {
    if (sameText(old.get(key), l)) continue;
    count++;
    roles += l.segments.filter((s) => s.role !== undefined).length;
  }
  return { pieces: count, roles };
}

const level = chalk.level;
beforeAll(() => {
  chalk.level = 1;
});
afterAll(() => {
  chalk.level = level;
});

let mounted: ReturnType<typeof mount> | undefined;
afterEach(() => {
  mounted?.dispose();
  mounted = undefined;
});

describe("the component tree", () => {
  const views = realViews(60);

  it("draws 60 real frames byte for byte as the flat line renderer did, in colour and without", () => {
    let help = 0;
    let small = 0;
    let wide = 0;
    for (const theme of [COLOR_THEME, MONO_THEME]) {
      for (const [f, v] of views.slice(0, 60).entries()) {
        const view = f % 3 === 0 ? troubled(v, f) : v;
        const options = realOptions(v, f);
        const screen = buildFrame(view, options);
        if (screen.kind === "help") help++;
        if (screen.kind === "too-small") small++;
        if (screenLines(screen).some((l) => !oneCellText(l))) wide++;
        expect(renderFrame(view, { ...options, theme })).toBe(flatFrame(screen, theme));
      }
    }
    // The set covers the help overlay, the too-small screen and lines with wide characters.
    expect(help).toBeGreaterThan(0);
    expect(small).toBeGreaterThan(0);
    expect(wide).toBeGreaterThan(0);
  }, 120_000);

  it("kept mounted, draws each new view, key and size exactly as a fresh render would", async () => {
    const feed = new MemoryFeed(views[0]);
    const ui = mount(feed, { symbols: REAL_SYMBOLS, columns: 200, rows: 60, theme: COLOR_THEME });
    mounted = ui;
    const sizes = [
      [200, 60],
      [120, 40],
      [80, 24],
      [30, 8],
      [100, 30],
    ] as const;
    for (let f = 1; f < 40; f++) {
      const v = views[f];
      if (v === undefined) break;
      feed.publish(f % 3 === 0 ? troubled(v, f) : v);
      if (f % 4 === 0) await ui.press("\u001b[C");
      if (f % 9 === 0) await ui.press("+");
      if (f % 13 === 0) await ui.press("?");
      // The board in place of the ladder for a while (b), sorted anew (o), then the ladder again.
      if (f === 17 || f === 29) await ui.press("b");
      if (f === 22) await ui.press("o");
      if (f % 6 === 0) {
        const [columns, rows] = sizes[(f / 6) % sizes.length] ?? [80, 24];
        ui.resize(columns, rows);
      }
      const frame = await ui.frame();
      expect(frame).toBe(flatFrame(ui.store.getSnapshot(), COLOR_THEME));
    }
  });

  it("restyles only the tabs, rows and lines that changed from one frame to the next", async () => {
    let reads = 0;
    const roles = new Proxy(COLOR_THEME.roles, {
      get(target, role, receiver) {
        reads++;
        return Reflect.get(target, role, receiver) as unknown;
      },
    });
    let now = views[0]?.publishedAt ?? 0;
    const feed = new MemoryFeed(views[0]);
    const ui = mount(feed, {
      symbols: REAL_SYMBOLS,
      columns: 200,
      rows: 60,
      theme: { color: true, roles },
      now: () => now,
    });
    mounted = ui;
    await ui.frame();
    const first = rolesToRestyle(ui.store.getSnapshot(), ui.store.getSnapshot());
    expect(first.pieces).toBe(0);

    // New views: what changed is restyled, nothing else.
    let totalPieces = 0;
    let changedPieces = 0;
    for (let f = 1; f < 20; f++) {
      const before = ui.store.getSnapshot();
      reads = 0;
      feed.publish(views[f] as (typeof views)[number]);
      await ui.frame();
      const expected = rolesToRestyle(before, ui.store.getSnapshot());
      expect(reads).toBe(expected.roles);
      totalPieces += pieces(ui.store.getSnapshot()).size;
      changedPieces += expected.pieces;
    }
    // (At 5 × 1,000 msg/s most rows change between views; some do not.)
    expect(changedPieces).toBeGreaterThan(0);
    expect(changedPieces).toBeLessThan(totalPieces);

    // Only the clock moves, once flashes are over: the status bar's age alone is restyled.
    for (const step of [5000, 2000]) {
      const before = ui.store.getSnapshot();
      reads = 0;
      now += step;
      feed.publish(views[19] as (typeof views)[number]);
      await ui.frame();
      const clock = rolesToRestyle(before, ui.store.getSnapshot());
      expect(reads).toBe(clock.roles);
      if (step === 2000) expect(clock.pieces).toBe(1);
    }
  });
});
