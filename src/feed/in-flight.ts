/**
 * The state of the one view that may be on its way from the feed worker to the main thread, kept in an
 * Int32 of shared memory so that neither thread needs a message (and a wake-up) for it in the usual case:
 *
 * - the worker stores `IN_FLIGHT` as it posts a view;
 * - the main thread, once its listeners have taken a view, exchanges the flag for `FREE`;
 * - a worker that wants to publish while a view is in flight turns `IN_FLIGHT` into `WAKE_ME` (an atomic
 *   compare-and-exchange, so a view taken in between reads as free), and holds its view; the main thread,
 *   finding `WAKE_ME` as it frees the flag, posts "view-seen", on which the worker publishes what it held.
 */
export const FREE = 0;
export const IN_FLIGHT = 1;
export const WAKE_ME = 2;
