import { crc32 } from "node:zlib";
import type { BookData, WireLevel } from "../../src/protocol/types.js";

/**
 * A plain order book, written for obviousness rather than speed: a Map per side keyed by the
 * normalised price, fully re-sorted and truncated after every message, exact BigInt comparison.
 */

const SCALE = 18;

/** Exact value of a plain decimal text, scaled to 18 decimals. */
export function scaled(text: string): bigint {
  const [int, frac = ""] = text.split(".");
  return BigInt(int! + frac.padEnd(SCALE, "0"));
}

/** `"63005.0"`, `"63005.00"` and `"63005"` share one key. */
const normalise = (price: string): string => scaled(price).toString();

export class ReferenceBook {
  private readonly bidMap = new Map<string, WireLevel>();
  private readonly askMap = new Map<string, WireLevel>();
  bids: WireLevel[] = [];
  asks: WireLevel[] = [];

  constructor(readonly depth: number) {}

  apply(data: BookData, snapshot: boolean): void {
    if (snapshot) {
      this.bidMap.clear();
      this.askMap.clear();
    }
    for (const [map, levels] of [
      [this.bidMap, data.bids],
      [this.askMap, data.asks],
    ] as const) {
      for (const l of levels) {
        if (scaled(l.qty) === 0n) map.delete(normalise(l.price));
        else map.set(normalise(l.price), { price: l.price, qty: l.qty });
      }
    }
    this.bids = sortTruncate(this.bidMap, this.depth, -1);
    this.asks = sortTruncate(this.askMap, this.depth, 1);
  }

  /** Best bid at or above best ask. */
  crossed(): boolean {
    const bid = this.bids[0];
    const ask = this.asks[0];
    return bid !== undefined && ask !== undefined && scaled(bid.price) >= scaled(ask.price);
  }

  /** Kraken's checksum, computed independently: own text rule, Node's zlib CRC-32. */
  checksum(): number {
    const text = (l: WireLevel): string => strip(l.price) + strip(l.qty);
    return crc32(this.asks.slice(0, 10).map(text).join("") + this.bids.slice(0, 10).map(text).join(""));
  }
}

function sortTruncate(map: Map<string, WireLevel>, depth: number, sign: 1 | -1): WireLevel[] {
  const sorted = [...map.values()].sort((a, b) => {
    const d = scaled(a.price) - scaled(b.price);
    return d === 0n ? 0 : (d > 0n ? 1 : -1) * sign;
  });
  for (const l of sorted.slice(depth)) map.delete(normalise(l.price));
  return sorted.slice(0, depth);
}

/** Kraken's rule: remove the `.`, then leading zeros. */
const strip = (text: string): string => text.replace(".", "").replace(/^0+/, "");

/** A level's text at a fixed number of decimals from an integer count of ticks: `formatTicks(630050, 1)` → `63005.0`. */
export function formatTicks(ticks: number, decimals: number): string {
  if (decimals === 0) return String(ticks);
  const digits = String(ticks).padStart(decimals + 1, "0");
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}
