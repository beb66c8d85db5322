import { createHash } from "node:crypto";
import { PAGE_SCRIPT } from "./page-script.js";
import { PAGE_STYLE } from "./page-style.js";

/** A CSP source for inline text: only the page's own script and style run, whatever a server string holds. */
function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/** Levels a side the page shows, when the books hold that many. */
export const PAGE_LEVELS = 15;

/**
 * The web ladder served at `GET /`: one self-contained page (no framework, no external requests; the
 * Content-Security-Policy allows nothing but its own inline script and style and connections to its own
 * origin) that follows `/stream?levels=N` and draws each symbol's ladder with its state and freshness.
 * `levels`: PAGE_LEVELS, or the books' depth when it is less (a stream asked for more levels than the
 * depth is refused). See page-script.ts for what it shows and the rules it keeps.
 */
export function pageHtml(levels: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; connect-src 'self'; img-src data:; script-src ${sha256(PAGE_SCRIPT)}; style-src ${sha256(PAGE_STYLE)}">
<title>kraken-ladder</title>
<link rel="icon" href="data:,">
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
<h1>kraken-ladder</h1>
<span id="stream" data-state="connecting"></span>
<span id="connection" data-state="unknown"></span>
</header>
<main id="books" data-levels="${levels}"></main>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
