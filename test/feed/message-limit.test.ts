import { describe, expect, it } from "vitest";
import { MessageLimiter } from "../../src/feed/message-limit.js";

describe("MessageLimiter", () => {
  const setup = (): { out: string[]; limiter: MessageLimiter; at: (ms: number) => void } => {
    const out: string[] = [];
    let now = 1_000_000;
    const limiter = new MessageLimiter(
      5,
      "notices",
      (m) => out.push(m),
      () => now,
    );
    return { out, limiter, at: (ms) => (now = 1_000_000 + ms) };
  };

  it("passes the first N a second and then one summary with the count and the latest message", () => {
    const { out, limiter } = setup();
    for (let i = 0; i < 1000; i++) limiter.post(`exchange status: ${i % 2 === 0 ? "maintenance" : "online"}`);
    expect(out).toHaveLength(5);
    limiter.flush();
    expect(out).toHaveLength(6);
    expect(out[5]).toBe("995 more notices not shown (latest: exchange status: online)");
    limiter.flush();
    expect(out).toHaveLength(6);
  });

  it("starts a new window a second later, after saying what the last one suppressed", () => {
    const { out, limiter, at } = setup();
    for (let i = 0; i < 7; i++) limiter.post(`a${i}`);
    at(999);
    limiter.post("b");
    expect(out).toEqual(["a0", "a1", "a2", "a3", "a4"]);
    at(1000);
    limiter.post("c");
    expect(out).toEqual(["a0", "a1", "a2", "a3", "a4", "3 more notices not shown (latest: b)", "c"]);
    limiter.flush();
  });
});
