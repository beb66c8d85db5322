import type { Trade } from "../protocol/types.js";

/** A break in a pair's trade ids: `got` arrived where `expected` (the last id + 1) should have. */
export type TradeGap = { readonly expected: number; readonly got: number };

export type TradeVerdict = {
  /** Trades not seen before, in order: the tape's new lines. */
  readonly fresh: readonly Trade[];
  readonly gaps: readonly TradeGap[];
  /** An update broke the sequence: the trade subscription must be renewed with a snapshot. */
  readonly resubscribe: boolean;
};

/**
 * Trade-id continuity of one pair. Kraken's `trade_id` is a per-pair sequence, so after the first trade
 * every id must be the last + 1. In an update, anything else (a jump or a repeat) is a gap: it is reported,
 * the rest of that update is dropped, and the subscription is renewed; until the new snapshot arrives only
 * updates that continue the sequence are taken (one that does also ends the wait: a snapshot may be empty).
 * A snapshot (the last 50 trades, on every (re)subscription) is read against the last id seen: ids
 * already seen are skipped, the rest fill in the tape, and a first new id beyond last + 1 is a gap no
 * resubscription can fill (reported, not renewed). A snapshot whose every id is below the last seen means
 * the ids started again (a restarted server): one gap, and the sequence continues from the snapshot, so a
 * renewal cannot loop on ids it would otherwise skip as seen.
 *
 * A reader that cannot renew a subscription (`verify`, reading a file that may hold no renewal) passes
 * `renews: false`: after a gap in an update it reads on, taking the rest of the update, so every later
 * break is found as well. A jump goes on from the id that came. An id at or below the last is held: if the
 * next trade follows it, the ids went back there (one misnumbered trade before it, say) and the sequence
 * goes on from it, both trades taken, with no second gap; otherwise it was a repeat, not taken twice.
 */
export class TradeSequence {
  last: number | undefined;
  /** A snapshot is due (subscribed or resubscribed, not yet answered). */
  awaiting = true;
  gaps = 0;
  /** The gap that renewed the subscription: a snapshot that shows the same hole does not report it twice. */
  private reported: TradeGap | undefined;
  private readonly renews: boolean;
  /** Without renewals: the trade of the last break that went back, until the next trade shows what it was. */
  private behind: Trade | undefined;

  constructor({ renews = true }: { readonly renews?: boolean } = {}) {
    this.renews = renews;
  }

  /** A (re)subscription with snapshot has been sent. */
  expectSnapshot(): void {
    this.awaiting = true;
  }

  /** No snapshot came in time: the next trade starts the sequence afresh (the gap was already reported). */
  restart(): void {
    this.awaiting = false;
    this.last = undefined;
  }

  take(trades: readonly Trade[], snapshot: boolean): TradeVerdict {
    const fresh: Trade[] = [];
    const gaps: TradeGap[] = [];
    const reported = this.reported;
    if (snapshot) {
      this.awaiting = false;
      this.reported = undefined;
      this.behind = undefined;
      const seen = this.last;
      if (seen !== undefined && trades.length > 0 && newest(trades) < seen) {
        // The ids went back (a restarted or different server): none of this snapshot was seen. The sequence
        // starts afresh from it, and the break is reported once (not again if an update already showed it).
        if (reported === undefined || reported.expected !== seen + 1)
          gaps.push({ expected: seen + 1, got: trades[0]!.tradeId });
        this.last = undefined;
      }
    }
    for (const t of trades) {
      const id = t.tradeId;
      const last = this.last;
      const behind = this.behind;
      this.behind = undefined;
      if (behind !== undefined && id === behind.tradeId + 1 && id !== (last ?? 0) + 1) {
        fresh.push(behind, t);
        this.last = id;
      } else if (last === undefined || id === last + 1) {
        fresh.push(t);
        this.last = id;
        // An update that continues the sequence shows nothing is missing (a snapshot may have been empty).
        if (!snapshot) this.awaiting = false;
      } else if (snapshot) {
        if (id <= last) continue; // seen before the resubscription or reconnect
        const known = reported;
        // The exchange's own tape has the hole the update showed: it is a gap, and it was reported.
        if (known === undefined || known.expected !== last + 1 || known.got !== id)
          gaps.push({ expected: last + 1, got: id });
        fresh.push(t);
        this.last = id;
      } else if (this.awaiting) {
        // The old subscription's tail while the snapshot is on its way: it fills this in.
        continue;
      } else if (!this.renews) {
        gaps.push({ expected: last + 1, got: id });
        if (id > last) {
          fresh.push(t);
          this.last = id;
        } else this.behind = t;
      } else {
        this.reported = { expected: last + 1, got: id };
        gaps.push(this.reported);
        this.awaiting = true;
        this.gaps += gaps.length;
        return { fresh, gaps, resubscribe: true };
      }
    }
    this.gaps += gaps.length;
    return { fresh, gaps, resubscribe: false };
  }
}

/** The highest id of a non-empty list of trades. */
function newest(trades: readonly Trade[]): number {
  let max = trades[0]!.tradeId;
  for (const t of trades) if (t.tradeId > max) max = t.tradeId;
  return max;
}
