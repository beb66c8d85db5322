/**
 * The end of an error event's message when what failed is tried again (its `retryInMs`, see FeedEvent):
 * `subscribe ETH/USD failed: EGeneral:Internal error; retrying in 800 ms`. The session words the message
 * with it; serve's stderr notes take it off to say the same note whatever the delay.
 */
export function retryingIn(ms: number): string {
  return `; retrying in ${ms} ms`;
}
