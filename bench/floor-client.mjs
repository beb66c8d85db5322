#!/usr/bin/env node
// The floor of the realistic benchmark: the least a client of the same feed can do. Connects to URL with
// `ws`, subscribes to what the app subscribes (book at depth 25, the ladder's default; trade, ticker and
// instrument) and `JSON.parse`s every frame, nothing more. On SIGTERM it prints the frames it parsed to stdout and exits.
//   node bench/floor-client.mjs URL SYMBOL...
import WebSocket from "ws";

const [url, ...symbols] = process.argv.slice(2);
if (url === undefined || symbols.length === 0) {
  process.stderr.write("usage: node bench/floor-client.mjs URL SYMBOL...\n");
  process.exit(2);
}

let frames = 0;
let books = 0;
const socket = new WebSocket(url);
const subscribe = (params) => socket.send(JSON.stringify({ method: "subscribe", params }));
socket.on("open", () => {
  subscribe({ channel: "book", symbol: symbols, depth: 25, snapshot: true });
  subscribe({ channel: "instrument" });
  subscribe({ channel: "trade", symbol: symbols, snapshot: true });
  subscribe({ channel: "ticker", symbol: symbols });
});
socket.on("message", (data) => {
  const message = JSON.parse(data.toString());
  frames++;
  if (message.channel === "book") books++;
});
socket.on("error", (e) => {
  process.stderr.write(`floor-client: ${e.message}\n`);
  process.exit(1);
});
process.once("SIGTERM", () => {
  process.stdout.write(JSON.stringify({ frames, books }) + "\n");
  socket.terminate();
  process.exit(0);
});
