/**
 * Something the recording received, to be given its time (see ReceiveClock): `at`, and `stamp`, the
 * exchange's time then (the newest update timestamp received by then, epoch µs).
 */
export type Received = { at: number; stamp?: number };

/**
 * When each frame of a recording was received, in the recording's time from its first update (µs), with
 * its long pauses shortened. A recording keeps no receive times, only the exchange's timestamps, so
 * they stand in for them: a frame carrying updates (book, trade, ticker) was received at the newest
 * update timestamp in it or in any frame before it in the file (frames are recorded in the order they
 * came, and an update is sent when it happens). A frame with no update timestamp (a snapshot: its
 * timestamp is the book's last change, maybe hours before; an instrument frame) was received with the
 * next frame that has one; after the last, at the last. So the snapshots that open a recording are at 0
 * with its first update, and a snapshot after a reconnect comes just before the updates that follow it.
 *
 * A pause is a stretch in which nothing with an update timestamp was received: the recorder was not
 * running, as between two runs appended to one file. Replayed as recorded, such a pause keeps the
 * client waiting for hours; shortened to `maxPause` it still shows as a pause, and what came after
 * follows.
 */
export class ReceiveClock {
  /** The newest update timestamp so far (µs), once there is one. */
  private newest: number | undefined;
  /** The first update timestamp (epoch µs), once there is one: the exchange's time at the start. */
  first: number | undefined;
  /** The recording's time at `newest`, with the long pauses before it shortened. */
  private now = 0;
  /** Frames read since the last update timestamp, which get the next one's time. */
  private readonly waiting: Received[] = [];

  constructor(private readonly maxPause: number) {}

  /**
   * The next frame in file order. `updated`: the newest timestamp of the updates it carries (µs), or
   * undefined for a frame with none.
   */
  add(frame: Received, updated: number | undefined): void {
    if (updated === undefined) {
      this.waiting.push(frame);
      return;
    }
    this.first ??= updated;
    if (this.newest === undefined || updated > this.newest) {
      if (this.newest !== undefined) this.now += Math.min(updated - this.newest, this.maxPause);
      this.newest = updated;
    }
    this.waiting.push(frame);
    this.end();
  }

  /** The end of the file: the frames read since the last update timestamp were received at its time. */
  end(): void {
    for (const f of this.waiting) {
      f.at = this.now;
      if (this.newest !== undefined) f.stamp = this.newest;
    }
    this.waiting.length = 0;
  }
}
