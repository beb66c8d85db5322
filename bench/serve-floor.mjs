// The floor of the `serve` benchmark (bench/serve.mjs): the least a Node HTTP server can do to give N SSE
// clients the same bytes. A plain `node:http` server that, `writes` times a second, encodes one event of
// `bytes` bytes once and `res.write`s that Buffer to every client (chunked, as serve's streams are), with
// no feed, no books and no per-client queue. It answers GET /metrics with the two figures bench/serve.mjs
// polls. Prints its base URL.
//   node bench/serve-floor.mjs <bytes per write> <writes per second>
import { createServer } from "node:http";

const bytes = Number(process.argv[2]);
const writesPerSecond = Number(process.argv[3]);
const clients = new Set();
let seq = 0;

const server = createServer((req, res) => {
  if (req.url === "/metrics") {
    res.end(`kraken_ladder_sse_clients ${clients.size}\nkraken_ladder_sse_dropped_clients_total 0\n`);
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" });
  res.socket?.setNoDelay(true);
  clients.add(res);
  res.on("close", () => clients.delete(res));
});

setInterval(() => {
  // The shape the load clients read: an id per version, and the exchange time in the data.
  const head = `event: book\nid: FLOOR:${++seq}\ndata: {"time":"${new Date().toISOString()}","pad":"`;
  const tail = `"}\n\n`;
  const event = Buffer.from(head + "x".repeat(Math.max(0, bytes - head.length - tail.length)) + tail);
  for (const res of clients) res.write(event);
}, 1000 / writesPerSecond);

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
