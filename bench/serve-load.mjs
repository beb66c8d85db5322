// A load process of the `serve` benchmark (bench/serve.mjs starts several): `count` raw loopback SSE
// clients on one path, each noting when it receives each `book` event (symbol, version) on the machine's
// wall clock (performance.timeOrigin + performance.now(): the same clock in every process, sub-ms), and
// the view's exchange time. Driven over IPC by the parent:
//   {cmd: "start"}                     start recording (events before are only counted as warm-up)
//   {cmd: "stop"}                      stop; answers {firsts: [[key, ms]...], events, bytes, trades}
//   {cmd: "judge", firsts, from, to}   answers the catch-up delays of its clients (see serve.mjs)
import { connect } from "node:net";
import { performance } from "node:perf_hooks";

const [port, count, path] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4] ?? "/stream"];
const now = () => performance.timeOrigin + performance.now();

let recording = false;
let bytes = 0;
let trades = 0;
/** Per client: per symbol, [version, received at] in arrival order (versions only grow on one stream). */
const clients = [];
/** Per `symbol:version`: the earliest receive time among this process's clients. */
const firsts = new Map();
/** Per `symbol:version`: the view's exchange time (epoch ms), as its data said. */
const times = new Map();
const ages = [];

function open() {
  const seen = new Map();
  clients.push(seen);
  const socket = connect(port, "127.0.0.1");
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  let tail = "";
  socket.on("data", (chunk) => {
    const at = now();
    const text = tail + chunk;
    let from = 0;
    for (;;) {
      const end = text.indexOf("\n\n", from);
      if (end < 0) break;
      // Node sends the stream chunked: a chunk's size line may come before an event's first line.
      const e = recording ? text.indexOf("event: ", from) : -1;
      if (e >= 0 && e < end) {
        if (text.startsWith("book\nid: ", e + 7)) note(seen, text, e, end, at);
        else if (text.startsWith("trade\n", e + 7)) trades++;
      }
      from = end + 2;
    }
    if (recording) bytes += chunk.length;
    tail = text.slice(from);
  });
  socket.on("error", (e) => process.stderr.write(`serve-load: ${e.message}\n`));
}

function note(seen, text, from, end, at) {
  const idStart = from + 16;
  const idEnd = text.indexOf("\n", idStart);
  // serve's ids end with `@<run>` (its process); the floor's have none.
  const tagged = text.slice(idStart, idEnd);
  const mark = tagged.indexOf("@");
  const id = mark < 0 ? tagged : tagged.slice(0, mark);
  const colon = id.lastIndexOf(":");
  const symbol = id.slice(0, colon);
  const version = Number(id.slice(colon + 1));
  let list = seen.get(symbol);
  if (list === undefined) seen.set(symbol, (list = []));
  list.push(version, at);
  const first = firsts.get(id);
  if (first === undefined || at < first) firsts.set(id, at);
  if (!times.has(id)) {
    const t = text.indexOf('"time":"', idEnd);
    if (t > 0 && t < end) {
      const ms = Date.parse(text.slice(t + 8, text.indexOf('"', t + 8)));
      times.set(id, ms);
    } else times.set(id, NaN);
  }
  const exchangeMs = times.get(id);
  if (Number.isFinite(exchangeMs) && ages.length < 2_000_000) ages.push(at - exchangeMs);
}

/**
 * For each view (symbol, version) that some client anywhere first received at F within [from, to]: how
 * long after F each of this process's clients held that version or a newer one of the symbol (a client
 * that skipped it, because the server coalesced, catches up with the newer one). Still behind at `to`+
 * the end: counted as behind until the end of the recording (`end`).
 */
function judge(globalFirsts, from, to, end) {
  const bySymbol = new Map();
  for (const [id, at] of globalFirsts) {
    if (at < from || at > to) continue;
    const colon = id.lastIndexOf(":");
    const symbol = id.slice(0, colon);
    let list = bySymbol.get(symbol);
    if (list === undefined) bySymbol.set(symbol, (list = []));
    list.push([Number(id.slice(colon + 1)), at]);
  }
  const delays = [];
  let never = 0;
  for (const seen of clients) {
    for (const [symbol, views] of bySymbol) {
      views.sort((a, b) => a[0] - b[0]);
      const got = seen.get(symbol) ?? [];
      // Both lists are in version order: walk them together.
      let j = 0;
      for (const [version, first] of views) {
        while (j < got.length && got[j] < version) j += 2;
        if (j < got.length) delays.push(got[j + 1] - first);
        else {
          delays.push(end - first);
          never++;
        }
      }
    }
  }
  return { delays, never };
}

// Connected 50 at a time: a thousand SYNs at once overflow the listen backlog and wait out TCP's retry.
for (let i = 0; i < count; i++) {
  open();
  if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 20));
}
let stoppedAt = 0;
process.on("message", (m) => {
  if (m.cmd === "start") {
    recording = true;
    process.send({ started: true });
  } else if (m.cmd === "stop") {
    recording = false;
    stoppedAt = now();
    process.send({
      firsts: [...firsts],
      events: clients.reduce((n, c) => n + countEvents(c), 0),
      bytes,
      trades,
    });
  } else if (m.cmd === "judge") {
    const { delays, never } = judge(new Map(m.firsts), m.from, m.to, stoppedAt);
    process.send({ delays, never, ages });
  } else if (m.cmd === "exit") {
    process.exit(0);
  }
});
process.send({ ready: true });

function countEvents(seen) {
  let n = 0;
  for (const list of seen.values()) n += list.length / 2;
  return n;
}
