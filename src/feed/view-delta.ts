import type { BookView, FeedEvent, FeedView } from "./types.js";

/**
 * The worker posts each view to the main thread, where it is copied (structured clone) into new objects.
 * Most books of a view are as they were in the view before (one symbol of five, or 60 of 500, changed in
 * an interval), so a book whose view is the same as the one last posted for its symbol crosses the
 * boundary as this marker and the receiving side puts back the view it already holds. Views arrive in the
 * order they were posted, every one of them, so both sides always agree on what was posted last.
 */
export type UnchangedBook = { readonly symbol: string; readonly unchanged: true };

/** A view as it crosses the worker boundary. */
export type WireView = Omit<FeedView, "books"> & { readonly books: readonly (BookView | UnchangedBook)[] };

/** What the worker posts: its events, views in their wire form. */
export type WorkerMessage =
  Exclude<FeedEvent, { type: "view" }> | { readonly type: "view"; readonly view: WireView };

/** The worker's side: what was last posted per symbol. */
export class ViewEncoder {
  private posted = new Map<string, BookView>();

  encode(view: FeedView): WireView {
    const next = new Map<string, BookView>();
    const books = view.books.map((book): BookView | UnchangedBook => {
      const before = this.posted.get(book.symbol);
      if (before !== undefined && sameBookView(before, book)) {
        next.set(book.symbol, before);
        return { symbol: book.symbol, unchanged: true };
      }
      next.set(book.symbol, book);
      return book;
    });
    this.posted = next;
    return { ...view, books };
  }
}

/** The main thread's side: the views as the worker built them, unchanged books as the same objects as before. */
export class ViewDecoder {
  private held = new Map<string, BookView>();

  decode(wire: WireView): FeedView {
    const next = new Map<string, BookView>();
    const books = wire.books.map((entry): BookView => {
      const book = isUnchanged(entry) ? this.held.get(entry.symbol) : entry;
      // The encoder only leaves out a book it posted in the view before, which this side decoded.
      if (book === undefined) throw new Error(`feed view: no earlier view of ${entry.symbol}`);
      next.set(book.symbol, book);
      return book;
    });
    this.held = next;
    return { ...wire, books };
  }
}

function isUnchanged(entry: BookView | UnchangedBook): entry is UnchangedBook {
  return "unchanged" in entry;
}

/**
 * Whether two views of a book show the same: every field equal, levels and the small objects of a view
 * (`checksums`, `bid`, `ask`) compared by content.
 */
export function sameBookView(a: BookView, b: BookView): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as (keyof BookView)[];
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    const x: unknown = a[key];
    const y: unknown = b[key];
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || !sameLevels(x as BookView["bids"], y as BookView["bids"])) return false;
    } else if (!sameFields(x as Record<string, unknown>, y as Record<string, unknown>)) return false;
  }
  return true;
}

function sameLevels(a: BookView["bids"], b: BookView["bids"]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]!.price !== b[i]!.price || a[i]!.qty !== b[i]!.qty) return false;
  }
  return true;
}

/** One level of plain fields (`{price, qty}`, `{ok, failed}`). */
function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => a[key] === b[key]);
}
