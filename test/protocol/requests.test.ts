import { describe, expect, it } from "vitest";
import { ping, subscribeBook, subscribeInstrument, unsubscribeBook } from "../../src/protocol/requests.js";

describe("request builders write the documented JSON", () => {
  it("subscribes to books with symbols, depth, snapshot and an optional req_id", () => {
    expect(subscribeBook({ symbols: ["BTC/USD", "ETH/USD"], depth: 25, reqId: 1 })).toBe(
      '{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":25,"snapshot":true},"req_id":1}',
    );
    expect(subscribeBook({ symbols: ["BTC/USD"], depth: 10 })).toBe(
      '{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":10,"snapshot":true}}',
    );
  });

  it("unsubscribes repeating the subscribed depth", () => {
    expect(unsubscribeBook({ symbols: ["BTC/USD"], depth: 25 })).toBe(
      '{"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":25}}',
    );
    expect(unsubscribeBook({ symbols: ["DOGE/USD"], depth: 1000, reqId: 4 })).toBe(
      '{"method":"unsubscribe","params":{"channel":"book","symbol":["DOGE/USD"],"depth":1000},"req_id":4}',
    );
  });

  it("subscribes to the instrument channel", () => {
    expect(subscribeInstrument()).toBe('{"method":"subscribe","params":{"channel":"instrument"}}');
    expect(subscribeInstrument(3)).toBe(
      '{"method":"subscribe","params":{"channel":"instrument"},"req_id":3}',
    );
  });

  it("pings with a req_id", () => {
    expect(ping(7)).toBe('{"method":"ping","req_id":7}');
  });
});
