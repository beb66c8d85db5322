import type { TickerView } from "../../feed/types.js";
import { sanitize } from "../../text/sanitize.js";
import type { Line, Role, Segment } from "./line.js";
import { clipLine, line } from "./line.js";

type Item = { readonly label: string; readonly value: string; readonly role?: Role };

/** `+1.25` / `-0.40`: the sign always shown, the digits as sent. */
function signed(text: string): string {
  return text.startsWith("-") || text.startsWith("+") ? text : `+${text}`;
}

/**
 * The selected symbol's ticker, under the header: `last 63388.7 │ 24h ▲ +120.3 (+0.19%) │ high … │ low … │
 * vol … │ vwap …`, every figure the exchange's exact text (sanitised). Items that do not fit are left off from
 * the end; a ticker not heard yet is `ticker —`.
 */
export function tickerLine(ticker: TickerView | undefined, width: number): Line {
  if (ticker === undefined) return clipLine(line("ticker", [{ text: " ticker —", role: "muted" }]), width);
  const items: Item[] = [];
  if (ticker.last !== undefined) items.push({ label: "last", value: sanitize(ticker.last) });
  if (ticker.change !== undefined || ticker.changePct !== undefined) {
    const change = ticker.change === undefined ? "" : signed(sanitize(ticker.change));
    const pct = ticker.changePct === undefined ? "" : `${signed(sanitize(ticker.changePct))}%`;
    const down = (ticker.change ?? ticker.changePct ?? "").startsWith("-");
    const value = change !== "" && pct !== "" ? `${change} (${pct})` : change + pct;
    items.push({ label: "24h", value: `${down ? "▼" : "▲"} ${value}`, role: down ? "down" : "up" });
  }
  if (ticker.high !== undefined) items.push({ label: "high", value: sanitize(ticker.high) });
  if (ticker.low !== undefined) items.push({ label: "low", value: sanitize(ticker.low) });
  if (ticker.volume !== undefined) items.push({ label: "vol", value: sanitize(ticker.volume) });
  if (ticker.vwap !== undefined) items.push({ label: "vwap", value: sanitize(ticker.vwap) });
  const segments: Segment[] = [];
  let used = 0;
  for (const item of items) {
    const sep = segments.length === 0 ? " " : " │ ";
    const text = `${item.label} `;
    const size = sep.length + text.length + item.value.length;
    // Whole items only: a cut figure would be a wrong figure.
    if (used + size > width) break;
    segments.push(
      { text: sep, role: "muted" },
      { text, role: "muted" },
      item.role === undefined
        ? { text: item.value, bold: true }
        : { text: item.value, role: item.role, bold: true },
    );
    used += size;
  }
  return line("ticker", segments);
}
