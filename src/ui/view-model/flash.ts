import type { Level, Side } from "./grouping.js";

export type FlashDirection = "up" | "down";

export type Flash = { readonly direction: FlashDirection; readonly until: number };

/** Per side, by price (integer ticks): bigint keys, so no key text is made per level per view. */
type BySide<T> = { readonly ask: ReadonlyMap<bigint, T>; readonly bid: ReadonlyMap<bigint, T> };

/**
 * What the ladder remembers between views of one book at one grouping, to flash sizes that changed.
 * Immutable: every update returns a new memory.
 */
export type FlashMemory = {
  /** Which book and grouping the sizes belong to; a different one starts over without flashing. */
  readonly key: string;
  readonly sizes: BySide<bigint>;
  readonly flashes: BySide<Flash>;
  /** The worst price seen on each side: levels appearing beyond it are scrolling into view, not new. */
  readonly worst: { readonly ask?: bigint; readonly bid?: bigint };
};

export const FLASH_MS = 600;

/** How many flashes are showing. */
export function flashCount(memory: FlashMemory): number {
  return memory.flashes.ask.size + memory.flashes.bid.size;
}

/**
 * The memory after a new view: a size that grew flashes up, one that shrank flashes down, a level that
 * appeared inside the previously seen range (or better than the best) flashes up. Flashes last `durationMs`.
 */
export function updateFlash(
  previous: FlashMemory | undefined,
  key: string,
  asks: readonly Level[],
  bids: readonly Level[],
  now: number,
  durationMs = FLASH_MS,
): FlashMemory {
  const from = previous === undefined || previous.key !== key ? undefined : previous;
  const ask = scanSide(from, "ask", asks, now, durationMs);
  const bid = scanSide(from, "bid", bids, now, durationMs);
  const lastAsk = asks[asks.length - 1];
  const lastBid = bids[bids.length - 1];
  return {
    key,
    sizes: { ask: ask.sizes, bid: bid.sizes },
    flashes: { ask: ask.flashes, bid: bid.flashes },
    worst: {
      ...(lastAsk === undefined ? {} : { ask: lastAsk.price }),
      ...(lastBid === undefined ? {} : { bid: lastBid.price }),
    },
  };
}

/**
 * One side of the memory after a new view: its sizes, and the flashes still showing plus those the view
 * starts. Without a memory to compare with (`previous` undefined: another book or grouping), nothing flashes.
 * (A module-level function rather than a closure made per view: see ladder.ts.)
 */
function scanSide(
  previous: FlashMemory | undefined,
  side: Side,
  levels: readonly Level[],
  now: number,
  durationMs: number,
): { sizes: Map<bigint, bigint>; flashes: Map<bigint, Flash> } {
  const sizes = new Map<bigint, bigint>();
  const flashes = new Map<bigint, Flash>();
  if (previous === undefined) {
    for (const level of levels) sizes.set(level.price, level.qty);
    return { sizes, flashes };
  }
  for (const [price, flash] of previous.flashes[side]) if (flash.until > now) flashes.set(price, flash);
  const before = previous.sizes[side];
  const worst = previous.worst[side];
  for (const level of levels) {
    sizes.set(level.price, level.qty);
    const was = before.get(level.price);
    let direction: FlashDirection | undefined;
    if (was === undefined) {
      const inside = worst !== undefined && (side === "ask" ? level.price <= worst : level.price >= worst);
      if (inside) direction = "up";
    } else if (level.qty > was) direction = "up";
    else if (level.qty < was) direction = "down";
    if (direction !== undefined) flashes.set(level.price, { direction, until: now + durationMs });
  }
  return { sizes, flashes };
}

/** The flash showing for one level at `now`, if any. */
export function flashAt(
  memory: FlashMemory | undefined,
  side: Side,
  price: bigint,
  now: number,
): FlashDirection | undefined {
  const flash = memory?.flashes[side].get(price);
  return flash !== undefined && flash.until > now ? flash.direction : undefined;
}

/** The earliest time a showing flash ends, to redraw then. */
export function nextFlashEnd(memory: FlashMemory | undefined, now: number): number | undefined {
  let next: number | undefined;
  for (const side of [memory?.flashes.ask, memory?.flashes.bid]) {
    for (const flash of side?.values() ?? []) {
      if (flash.until > now && (next === undefined || flash.until < next)) next = flash.until;
    }
  }
  return next;
}
