import type { BookScan } from "../protocol/book-scan.js";
import type { BookData } from "../protocol/types.js";
import { BookSide } from "./book-side.js";
import { appendCrc, appendToInit, finishCrc } from "./crc-combine.js";

/** What applying one book message did. */
export type ApplyOutcome = "ok" | "checksum-mismatch" | "crossed-book";

/**
 * One symbol's book at a subscribed depth, verified against Kraken's checksum after every message.
 * https://docs.kraken.com/api/docs/guides/spot-ws-book-v2
 */
export class OrderBook {
  readonly bids = new BookSide("bids");
  readonly asks = new BookSide("asks");
  /** Checksum of the book as it stands after the last message (unsigned). */
  checksum = 0;
  /** The checksum the last message carried. */
  expected = 0;

  constructor(
    readonly symbol: string,
    readonly depth: number,
  ) {}

  /** A snapshot replaces the book; an update applies each level strictly in wire order. */
  apply(data: BookData, snapshot: boolean): ApplyOutcome {
    const { bids, asks } = this;
    if (snapshot) {
      bids.load(data.bids);
      asks.load(data.asks);
    } else {
      for (const l of data.bids) bids.set(l.price, l.qty);
      for (const l of data.asks) asks.set(l.price, l.qty);
    }
    return this.verify(data.checksum);
  }

  /**
   * `apply` for entry `e` of a frame BookScan accepted whole, read straight from the frame's text:
   * the same result as `apply` of the message parseFrame would return for it.
   */
  applyScan(scan: BookScan, e: number, snapshot: boolean): ApplyOutcome {
    // Bids are levels bidsFrom…asksFrom of the scan, asks asksFrom…asksTo. One call site per side
    // method: the optimizing compiler inlines each once, which keeps its work (and warm-up) small.
    let from = scan.bidsFrom(e);
    for (let k = 0; k < 2; k++) {
      const side = k === 0 ? this.bids : this.asks;
      const to = k === 0 ? scan.asksFrom(e) : scan.asksTo(e);
      if (snapshot) side.loadScanned(scan, from, to);
      else if (to > from) side.setScanned(scan, from, to, this.depth);
      from = to;
    }
    return this.verify(scan.checksum(e));
  }

  /** After a message: truncate to the depth, then compare the checksum. */
  private verify(expected: number): ApplyOutcome {
    this.bids.truncate(this.depth);
    this.asks.truncate(this.depth);
    this.expected = expected;
    // The unsigned checksum is a double: made here, not returned from a call, it needs no heap box.
    const checksum = finishCrc(this.checksumRegister());
    this.checksum = checksum;
    if (checksum !== expected) return "checksum-mismatch";
    return this.isCrossed() ? "crossed-book" : "ok";
  }

  /** Best bid at or above best ask: a book that cannot be the exchange's. */
  isCrossed(): boolean {
    return this.bids.reaches(this.asks);
  }

  /** CRC register after asks' top-10 text then bids', combined from each side's cached part. */
  private checksumRegister(): number {
    const asks = this.asks.checksumPart();
    const register = appendToInit(asks.crc, asks.length);
    const bids = this.bids.checksumPart();
    return appendCrc(register, bids.crc, bids.length);
  }
}
