import type { BookData } from "../protocol/types.js";
import { BookSide } from "./book-side.js";
import { appendCrc, CRC_INIT, finishCrc } from "./crc-combine.js";

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
    bids.truncate(this.depth);
    asks.truncate(this.depth);
    this.expected = data.checksum;
    this.checksum = this.computeChecksum();
    if (this.checksum !== data.checksum) return "checksum-mismatch";
    return this.isCrossed() ? "crossed-book" : "ok";
  }

  /** Best bid at or above best ask: a book that cannot be the exchange's. */
  isCrossed(): boolean {
    return this.bids.bestKey() >= this.asks.bestKey();
  }

  /** Asks' top-10 text then bids', combined from each side's cached part. */
  private computeChecksum(): number {
    const asks = this.asks.checksumPart();
    let register = appendCrc(CRC_INIT, asks.crc, asks.length);
    const bids = this.bids.checksumPart();
    register = appendCrc(register, bids.crc, bids.length);
    return finishCrc(register);
  }
}
