/**
 * The web ladder's style sheet: dark, monospaced, numbers right-aligned so they line up on the point; asks
 * red and bids green with a depth bar (the row's `--depth`, 0…1 of the deeper side's total), and every
 * meaning also carried by words and glyphs. A book without prices is dimmed.
 */
export const PAGE_STYLE = `
:root { color-scheme: dark; --bg: #111418; --card: #1a1f26; --text: #d8dee6; --muted: #7d8794;
  --ask: #ff6b6b; --bid: #4cd97b; --warn: #f5b942; --ask-bar: rgba(255, 107, 107, 0.16);
  --bid-bar: rgba(76, 217, 123, 0.16); }
* { box-sizing: border-box; }
body { margin: 0; padding: 12px 16px; background: var(--bg); color: var(--text);
  font: 13px/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
body > header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; margin-bottom: 12px; }
h1 { font-size: 15px; margin: 0; }
#stream[data-state="open"], #connection[data-state="live"] { color: var(--bid); }
#stream:not([data-state="open"]), #connection:not([data-state="live"]) { color: var(--warn); font-weight: bold; }
#books { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.book { background: var(--card); border-radius: 6px; padding: 8px 10px; width: 380px; content-visibility: auto; contain-intrinsic-size: auto 380px auto 640px; }
.book > header { display: flex; justify-content: space-between; gap: 12px; align-items: baseline; }
.book h2 { font-size: 14px; margin: 0 0 4px; }
.book .state { color: var(--bid); }
.book:not([data-state="live"]) .state { color: var(--warn); font-weight: bold; }
.book[data-state="stale"] .state { color: var(--muted); }
.book:not([data-state="live"]) .ladder { opacity: 0.7; }
.ladder { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
.ladder th { color: var(--muted); font-weight: normal; text-align: right; padding: 0 6px; }
.ladder td { text-align: right; padding: 0 6px; height: 1.35em; white-space: pre; }
.asks .price { color: var(--ask); }
.bids .price { color: var(--bid); }
.asks tr { background: linear-gradient(to left, var(--ask-bar) calc(var(--depth, 0) * 100%), transparent 0); }
.bids tr { background: linear-gradient(to left, var(--bid-bar) calc(var(--depth, 0) * 100%), transparent 0); }
.middle td { text-align: center; color: var(--muted); border-top: 1px solid #2c333d;
  border-bottom: 1px solid #2c333d; padding: 2px 6px; white-space: normal; }
.book[data-servable="false"] .middle td { color: var(--warn); font-weight: bold; }
.stats { color: var(--muted); margin-top: 4px; font-size: 12px; }
`;
