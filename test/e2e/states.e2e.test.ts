import { afterEach, describe, expect, it } from "vitest";
import { ScriptedServer } from "../feed/support/scripted-server.js";
import { endToEnd } from "./helpers/parts.js";
import { attributesAt, shellQuote } from "./helpers/tmux.js";

/**
 * The built binary in tmux against a scripted Kraken server: a verified book with an empty side, and a
 * connection that goes and comes back, as a user sees them (text and styles read with capture-pane -e).
 */

const e2e = endToEnd();
const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(options: Parameters<typeof ScriptedServer.start>[0] = {}): Promise<ScriptedServer> {
  const server = await ScriptedServer.start({ mids: { "BTC/USD": 1000 }, ...options });
  servers.push(server);
  return server;
}

const PRICE_ROW = /^[\s·]\s*\d+\.\d+\s+\d+\.\d+/;
/** A styled capture's text. */
// eslint-disable-next-line no-control-regex
const plainOf = (styled: readonly string[]) => styled.map((l) => l.replace(/\u001b\[[\d;]*m/g, "").trimEnd());
/** The status bar: a styled capture's last line that is not blank (its rows run to the pane's bottom). */
const statusOf = (l: readonly string[]) => l.filter((x) => x !== "").at(-1) ?? "";
const dimOnly = { bold: false, dim: true, inverse: false };

describe("a verified book with an empty side, in a real terminal", () => {
  it("says `no asks`, dim, next to the spread row, with the bids below it", async () => {
    const server = await serve();
    // The exchange's book has no asks (its checksum covers an empty side); no update adds one.
    server.book("BTC/USD").asks.clear();
    server.muted.add("BTC/USD");
    const t = e2e.tmux();
    t.runApp(`--url ${shellQuote(server.url)} --depth 10 BTC/USD`, 100, 24, { env: "FORCE_COLOR=1" });
    const styled = await t.waitForStyled(
      "BTC/USD live with `no asks` above the spread row",
      (l) => {
        const spread = l.findIndex((x) => x.includes(" spread — "));
        return /BTC\/USD\s+● live/.test(l[0] ?? "") && spread > 0 && l[spread - 1] === " no asks";
      },
      20_000,
    );
    const plain = plainOf(styled);
    const row = plain.indexOf(" no asks");
    expect(attributesAt(styled, row, "no asks")).toEqual(dimOnly);
    expect(PRICE_ROW.test(plain[row + 2] ?? "")).toBe(true);
    // Nothing above it: the far rows of the empty side stay blank.
    expect(plain.slice(0, row).filter((l) => PRICE_ROW.test(l))).toEqual([]);
    t.keys("q");
  }, 40_000);
});

describe("a connection that goes and comes back, in a real terminal", () => {
  it("keeps the ticker's line, dimmed, and the selected tab inverse but not bold, so nothing moves", async () => {
    const server = await serve();
    const port = server.port;
    const t = e2e.tmux();
    t.runApp(`--url ${shellQuote(server.url)} --depth 10 BTC/USD`, 100, 24, { env: "FORCE_COLOR=1" });
    const titles = (l: readonly string[]) => l.findIndex((x) => /^\s+PRICE\s+SIZE/.test(x));
    const live = await t.waitForStyled(
      "BTC/USD live with its ticker",
      (l) => /▶1 BTC\/USD\s+● live/.test(l[0] ?? "") && (l[1] ?? "").startsWith(" last 1000.0"),
      20_000,
    );
    expect(attributesAt(live, 0, "▶1")).toEqual({ bold: true, dim: false, inverse: true });
    expect(attributesAt(live, 1, "last")).toEqual({ bold: false, dim: false, inverse: false });
    expect(titles(plainOf(live))).toBe(2);

    servers.splice(servers.indexOf(server), 1);
    await server.close();
    const gone = await t.waitForStyled(
      "BTC/USD disconnected, reconnecting",
      (l) => /▶1 BTC\/USD\s+○ disconnected/.test(l[0] ?? "") && /^ ○ reconnecting/.test(statusOf(l)),
      20_000,
    );
    const goneText = plainOf(gone);
    expect(goneText[1]).toMatch(/^ last 1000\.0/);
    expect(titles(goneText)).toBe(2);
    expect(attributesAt(gone, 0, "▶1")).toEqual({ bold: false, dim: true, inverse: true });
    expect(attributesAt(gone, 1, "last")).toEqual(dimOnly);
    expect(attributesAt(gone, 1, "1000.0")).toEqual(dimOnly);

    await serve({ port });
    const back = await t.waitForStyled(
      "BTC/USD live again",
      (l) => /▶1 BTC\/USD\s+● live/.test(l[0] ?? "") && /^ ● connected/.test(statusOf(l)),
      30_000,
    );
    expect(attributesAt(back, 0, "▶1")).toEqual({ bold: true, dim: false, inverse: true });
    expect(attributesAt(back, 1, "last")).toEqual({ bold: false, dim: false, inverse: false });
    t.keys("q");
  }, 60_000);
});
