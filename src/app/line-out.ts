/**
 * NDJSON lines to a stream whose reader may fall behind (a pipe to a slow or paused consumer). While the
 * stream is backed up (it asked for a `drain`), lines wait here instead of in the stream's own buffer,
 * where they would pile up without bound and reach the reader as old as the reader is slow:
 *
 * - a book line is the book's state, so it replaces the same book's line waiting, and takes its place at
 *   the end (after whatever came between: a `connection` line that withdrew the prices stays before the
 *   book line that says so). The reader gets every book as it is when it reads, not every view since;
 * - every other line (trades, tickers, errors, connection changes) is a log: all wait, in order.
 *
 * On `drain` everything waiting leaves in one write. Lines that are not books waiting past `limitBytes`
 * (a reader that does not read at all) are not dropped in silence: `onOverflow` is told once, and the
 * caller stops.
 */
export class LineOut {
  /** Waiting lines in order: a book's under `book <symbol>` (moved to the end when replaced), others numbered. */
  private readonly waiting = new Map<string, string>();
  /** Bytes (UTF-16 units) of the waiting lines that are not books. */
  private logBytes = 0;
  private next = 0;
  private overflowed = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { readonly writableNeedDrain: boolean },
    private readonly limitBytes: number,
    private readonly onOverflow: (waitingBytes: number) => void,
  ) {
    stream.on("drain", () => this.flush());
  }

  /**
   * `text`: one line, or several joined by "\n" (no line holds a raw line break: JSON escapes them);
   * `books`: when given, the symbol of each line in order, each a book's state.
   */
  write(text: string, books?: readonly string[]): void {
    if (this.waiting.size === 0 && !this.stream.writableNeedDrain) {
      this.stream.write(`${text}\n`);
      return;
    }
    const lines = books === undefined ? [text] : text.split("\n");
    lines.forEach((line, i) => {
      const symbol = books?.[i];
      if (symbol === undefined) {
        this.waiting.set(`${this.next++}`, line);
        this.logBytes += line.length + 1;
      } else {
        const key = `book ${symbol}`;
        this.waiting.delete(key);
        this.waiting.set(key, line);
      }
    });
    if (this.logBytes > this.limitBytes && !this.overflowed) {
      this.overflowed = true;
      this.onOverflow(this.logBytes);
    }
  }

  /** Hands everything waiting to the stream at once, backed up or not (the run is ending: the stream's own end waits for it). */
  flushNow(): void {
    this.flush();
  }

  /** Lines waiting for the reader. */
  get size(): number {
    return this.waiting.size;
  }

  private flush(): void {
    if (this.waiting.size === 0) return;
    const text = [...this.waiting.values()].join("\n");
    this.waiting.clear();
    this.logBytes = 0;
    this.stream.write(`${text}\n`);
  }
}
