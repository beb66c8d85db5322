import { escapeUnsafe } from "../text/sanitize.js";
import type { VerifyReport } from "./verify.js";
import { MAX_KEPT_ERRORS, tradeGapCount } from "./verify.js";

const COLUMNS = ["snapshots", "updates", "skipped", "ok", "failed", "crossed"] as const;
/** Invalid lines listed in full before the rest are summarised. */
const MAX_LISTED_ERRORS = 20;

/**
 * Plain-text summary: a table per symbol, totals, then invalid lines with their numbers. Symbols, file
 * names and parser messages come from files: shown with control and format characters escaped.
 */
export function formatReport(report: VerifyReport, files: readonly string[]): string {
  const rows: string[][] = [["symbol", ...COLUMNS]];
  for (const [symbol, s] of Object.entries(report.symbols)) {
    rows.push([escapeUnsafe(symbol), ...COLUMNS.map((c) => String(s[c]))]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const table = rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
  );
  const { ok, failed } = report.checksums;
  // Every non-blank line counts as a frame; the unreadable ones among them are said at once.
  const unreadable = report.invalidLines === 0 ? "" : ` (${report.invalidLines} unreadable)`;
  const frames = `${report.frames} frame${report.frames === 1 ? "" : "s"}${unreadable}`;
  const out = [
    `${files.length === 1 ? escapeUnsafe(files[0] ?? "") : `${files.length} files`}: ${frames}`,
    // No book frame read: no table of nothing.
    ...(rows.length > 1 ? table : []),
    `checksums: ${ok} ok, ${failed} failed${failed === 0 ? "" : "  (MISMATCH)"}`,
  ];
  out.push(...tradeTable(report));
  const invalid = report.invalidLines;
  if (invalid > 0) {
    out.push(`${invalid} invalid line${invalid === 1 ? "" : "s"}:`);
    for (const e of report.errors.slice(0, MAX_LISTED_ERRORS))
      out.push(`  ${escapeUnsafe(e.file)}:${e.line}: ${escapeUnsafe(e.message)}`);
    if (invalid > MAX_LISTED_ERRORS)
      out.push(
        `  … and ${invalid - MAX_LISTED_ERRORS} more (--json lists ${invalid > MAX_KEPT_ERRORS ? `the first ${MAX_KEPT_ERRORS}` : "all"})`,
      );
  }
  return out.join("\n") + "\n";
}

/** Listed trade-id gaps before the rest are summarised. */
const MAX_LISTED_GAPS = 20;

/** Trades and trade-id gaps per pair, then each gap; nothing when the recordings hold no trades. */
function tradeTable(report: VerifyReport): string[] {
  const entries = Object.entries(report.trades);
  if (entries.length === 0) return [];
  const rows = [["symbol", "trades", "id gaps"]];
  for (const [symbol, t] of entries)
    rows.push([escapeUnsafe(symbol), String(t.trades), String(t.gaps.length)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const out = rows.map((r) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
  );
  const gaps = tradeGapCount(report);
  out.push(`trade ids: ${gaps === 0 ? "continuous" : `${gaps} gap${gaps === 1 ? "" : "s"}  (GAP)`}`);
  let listed = 0;
  for (const [symbol, t] of entries) {
    for (const g of t.gaps) {
      if (listed++ < MAX_LISTED_GAPS)
        out.push(
          `  ${escapeUnsafe(g.file)}:${g.line}: ${escapeUnsafe(symbol)} expected trade id ${g.expected}, got ${g.got}`,
        );
    }
  }
  if (listed > MAX_LISTED_GAPS) out.push(`  … and ${listed - MAX_LISTED_GAPS} more (--json lists all)`);
  return out;
}
