import { describe, expect, it } from "vitest";
import { MessageLimiter } from "../../src/feed/message-limit.js";

describe("MessageLimiter", () => {
  type Message = { readonly message: string; readonly retryInMs?: number };
  const setup = (): {
    /** The text of each message that came out. */
    out: string[];
    /** Each message that came out. */
    passed: Message[];
    limiter: MessageLimiter<Message>;
    post: (text: string) => void;
    at: (ms: number) => void;
  } => {
    const out: string[] = [];
    const passed: Message[] = [];
    let now = 1_000_000;
    const limiter = new MessageLimiter<Message>(
      5,
      "notices",
      (m) => {
        passed.push(m);
        out.push(m.message);
      },
      (message) => ({ message }),
      () => now,
    );
    return {
      out,
      passed,
      limiter,
      post: (message) => limiter.post({ message }),
      at: (ms) => (now = 1_000_000 + ms),
    };
  };

  it("passes the first N a second and then one summary with the count and the latest message", () => {
    const { out, limiter, post } = setup();
    for (let i = 0; i < 1000; i++) post(`exchange status: ${i % 2 === 0 ? "maintenance" : "online"}`);
    expect(out).toHaveLength(5);
    limiter.flush();
    expect(out).toHaveLength(6);
    expect(out[5]).toBe("995 more notices not shown (latest: exchange status: online)");
    limiter.flush();
    expect(out).toHaveLength(6);
  });

  it("starts a new window a second later, after saying what the last one suppressed", () => {
    const { out, limiter, post, at } = setup();
    for (let i = 0; i < 7; i++) post(`a${i}`);
    at(999);
    post("b");
    expect(out).toEqual(["a0", "a1", "a2", "a3", "a4"]);
    at(1000);
    post("c");
    expect(out).toEqual(["a0", "a1", "a2", "a3", "a4", "3 more notices not shown (latest: b)", "c"]);
    limiter.flush();
  });

  it("passes a message as it was posted, with what else it carries; a summary is made from its text", () => {
    const { passed, limiter } = setup();
    const retried = (ms: number): { message: string; retryInMs: number } => ({
      message: `subscribe ETH/USD failed: EGeneral:Internal error; retrying in ${ms} ms`,
      retryInMs: ms,
    });
    for (let i = 1; i <= 7; i++) limiter.post(retried(i * 100));
    limiter.flush();
    expect(passed).toEqual([
      ...[100, 200, 300, 400, 500].map(retried),
      {
        message:
          "2 more notices not shown (latest: subscribe ETH/USD failed: EGeneral:Internal error; retrying in 700 ms)",
      },
    ]);
  });
});
