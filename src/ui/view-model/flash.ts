import type { Level, Side } from "./grouping.js";

export type FlashDirection = "up" | "down";

export type Flash = { readonly direction: FlashDirection; readonly until: number };

/**
 * What the ladder remembers between views of one book at one grouping, to flash sizes that changed.
 * Immutable: every update returns a new memory.
 */
export type FlashMemory = {
  /** Which book and grouping the sizes belong to; a different one starts over without flashing. */
  readonly key: string;
  readonly sizes: ReadonlyMap<string, bigint>;
  readonly flashes: ReadonlyMap<string, Flash>;
  /** The worst price seen on each side: levels appearing beyond it are scrolling into view, not new. */
  readonly worst: { readonly ask?: bigint; readonly bid?: bigint };
};

export const FLASH_MS = 600;

function levelKey(side: Side, price: bigint): string {
  return `${side}:${price}`;
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
  const sizes = new Map<string, bigint>();
  const flashes = new Map<string, Flash>();
  const fresh = previous === undefined || previous.key !== key;
  if (!fresh) {
    for (const [k, flash] of previous.flashes) if (flash.until > now) flashes.set(k, flash);
  }
  const scan = (side: Side, levels: readonly Level[]): void => {
    const worst = fresh ? undefined : previous.worst[side];
    for (const level of levels) {
      const k = levelKey(side, level.price);
      sizes.set(k, level.qty);
      if (fresh) continue;
      const before = previous.sizes.get(k);
      let direction: FlashDirection | undefined;
      if (before === undefined) {
        const inside = worst !== undefined && (side === "ask" ? level.price <= worst : level.price >= worst);
        if (inside) direction = "up";
      } else if (level.qty > before) direction = "up";
      else if (level.qty < before) direction = "down";
      if (direction !== undefined) flashes.set(k, { direction, until: now + durationMs });
    }
  };
  scan("ask", asks);
  scan("bid", bids);
  const lastAsk = asks[asks.length - 1];
  const lastBid = bids[bids.length - 1];
  return {
    key,
    sizes,
    flashes,
    worst: {
      ...(lastAsk === undefined ? {} : { ask: lastAsk.price }),
      ...(lastBid === undefined ? {} : { bid: lastBid.price }),
    },
  };
}

/** The flash showing for one level at `now`, if any. */
export function flashAt(
  memory: FlashMemory | undefined,
  side: Side,
  price: bigint,
  now: number,
): FlashDirection | undefined {
  const flash = memory?.flashes.get(levelKey(side, price));
  return flash !== undefined && flash.until > now ? flash.direction : undefined;
}

/** The earliest time a showing flash ends, to redraw then. */
export function nextFlashEnd(memory: FlashMemory | undefined, now: number): number | undefined {
  let next: number | undefined;
  for (const flash of memory?.flashes.values() ?? []) {
    if (flash.until > now && (next === undefined || flash.until < next)) next = flash.until;
  }
  return next;
}
