import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** A young-generation collection (a scavenge), run at once on the calling thread. */
export type Collect = () => void;

/** How many frames' worth of room the young generation must have left for the next frame not to fill it. */
export const ROOM_IN_FRAMES = 1.25;

/** How fast the estimate of a frame's allocation follows smaller frames (per frame; larger ones at once). */
const ESTIMATE_DECAY = 0.9;

/**
 * Whether to collect the young generation now, between frames: when the room left in it is less than
 * `ROOM_IN_FRAMES` frames' allocation, the next frame would fill it and V8 would collect it in that frame.
 */
export function shouldCollectBetweenFrames(availableBytes: number, bytesPerFrame: number): boolean {
  return bytesPerFrame > 0 && availableBytes < ROOM_IN_FRAMES * bytesPerFrame;
}

/** V8's young generation now: bytes in use and bytes left before it is full. */
export type YoungSpace = { readonly used: number; readonly available: number };

/** This thread's young generation now, from V8's heap statistics. */
export function youngSpace(): YoungSpace | undefined {
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === "new_space") {
      return { used: space.space_used_size, available: space.space_available_size };
    }
  }
  return undefined;
}

/** V8's young-generation collector from its `gc` extension, or undefined where this V8 will not give it. */
export function scavenger(): Collect | undefined {
  try {
    // The extension is installed in contexts made after the flag is set: a fresh one hands it over.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    if (typeof gc !== "function") return undefined;
    return () => (gc as (options: { type: string }) => void)({ type: "minor" });
  } catch {
    return undefined;
  }
}

/**
 * Moves the main thread's young-generation collections out of the frames and into the time between them.
 * Returns the function to call whenever a frame has been drawn (Ink's `onRender`); after the frame is
 * written (on the next turn of the event loop) it collects the young generation if the next frame would
 * fill it, or does nothing.
 *
 * Why: every frame allocates close to half the young generation (the view, React's work, Ink's output:
 * ~420 KB at 5 pairs and 200×60 with the small heap of app/heap.ts), so V8 collected it inside one frame in
 * three, adding 0.5–2.5 ms to that frame. Collected after the frame is written, no frame pays for it
 * (render benchmark, BENCHMARKS.md). The price: with the young generation at 1 MB that is a collection
 * after every frame (~0.65 ms each: what survives costs, not what died), about half a point of a core more
 * on the main thread, and twice as many full collections (what lives for two frames now survives two
 * collections and moves to the old generation); their main-thread part also falls between frames. The
 * collection itself is V8's own, through its `gc` extension; where it cannot be had, nothing is done.
 *
 * `collect` is V8's collector, or undefined (nothing is done); `space` reads the young generation.
 */
export function collectBetweenFrames(
  collect: Collect | undefined,
  space: () => YoungSpace | undefined = youngSpace,
): () => void {
  if (collect === undefined) return () => {};
  let pending = false;
  /** Young-generation bytes in use after the last check. */
  let usedAfter: number | undefined;
  /** The largest recent growth between checks, decaying: the growth is a frame's allocation, or less if
   *  V8 collected meanwhile, never more. */
  let bytesPerFrame = 0;
  const check = (): void => {
    pending = false;
    const now = space();
    if (now === undefined) return;
    if (usedAfter !== undefined) {
      bytesPerFrame = Math.max(now.used - usedAfter, bytesPerFrame * ESTIMATE_DECAY);
    }
    if (shouldCollectBetweenFrames(now.available, bytesPerFrame)) {
      collect();
      usedAfter = space()?.used;
    } else {
      usedAfter = now.used;
    }
  };
  return () => {
    if (pending) return;
    pending = true;
    setImmediate(check);
  };
}
