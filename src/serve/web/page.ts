/**
 * The page served at `GET /`. A minimal placeholder: it lists the books' states and touch over `/stream`.
 * Text from the stream is set with textContent, never as HTML.
 */
export const PAGE_HTML: string = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>kraken-ladder</title>
<style>body{font:14px ui-monospace,monospace;margin:1em}td{padding:0 .8em}</style></head>
<body>
<h1>kraken-ladder</h1>
<p id="connection">connecting</p>
<table><thead><tr><th>symbol</th><th>state</th><th>bid</th><th>ask</th><th>spread</th></tr></thead>
<tbody id="books"></tbody></table>
<script type="module">
const rows = new Map();
const tbody = document.getElementById("books");
const source = new EventSource("stream" + location.search);
source.addEventListener("state", (e) => {
  const d = JSON.parse(e.data);
  if (d.scope === "connection") document.getElementById("connection").textContent = "connection " + d.state;
});
source.addEventListener("book", (e) => {
  const d = JSON.parse(e.data);
  let row = rows.get(d.symbol);
  if (!row) {
    row = document.createElement("tr");
    for (let i = 0; i < 5; i++) row.appendChild(document.createElement("td"));
    rows.set(d.symbol, row);
    tbody.appendChild(row);
  }
  const cells = row.children;
  cells[0].textContent = d.symbol;
  cells[1].textContent = d.state + (d.reason ? " (" + d.reason + ")" : "");
  cells[2].textContent = d.bids[0] ? d.bids[0].price : "";
  cells[3].textContent = d.asks[0] ? d.asks[0].price : "";
  cells[4].textContent = d.spread ?? "";
});
</script>
</body>
</html>
`;
