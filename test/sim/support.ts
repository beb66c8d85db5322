import { afterEach } from "vitest";
import { startSimServer } from "../../src/sim/server.js";
import type { SimOptions, SimServer } from "../../src/sim/server.js";
import { TestClient } from "./kraken-client.js";

/** Starts servers and test clients for a test file; everything it started is closed after each test. */
export function closedAfterEach(): {
  serve(options: SimOptions): Promise<SimServer>;
  client(url: string): Promise<TestClient>;
} {
  let servers: SimServer[] = [];
  let clients: TestClient[] = [];
  afterEach(async () => {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    clients = [];
  });
  return {
    async serve(options) {
      const server = await startSimServer(options);
      servers.push(server);
      return server;
    },
    async client(url) {
      const c = await TestClient.connect(url);
      clients.push(c);
      return c;
    },
  };
}
