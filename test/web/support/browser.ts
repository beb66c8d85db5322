import { expect } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it). */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type Browser = {
  /** The current page (see newPage). */
  readonly page: Page;
  /** The current page's console errors and uncaught exceptions. */
  readonly errors: readonly string[];
  /** Closes the current page and opens a fresh one. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
};

/**
 * Headless Chromium with a fresh profile, one page. Fails, never skips, when Chromium is missing: the browser
 * test is part of the suite.
 */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: the web ladder's browser test needs Debian's Chromium ` +
        "(`apt-get install -y chromium`; .ci/run installs it).",
    );
  const profile = mkdtempSync(join(tmpdir(), "kraken-ladder-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  let page = context.pages()[0] ?? (await context.newPage());
  let errors: string[] = [];
  const watch = (watched: Page): void => {
    errors = [];
    watched.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    watched.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
  };
  watch(page);
  return {
    get page() {
      return page;
    },
    get errors() {
      return errors;
    },
    async newPage() {
      await page.close();
      page = await context.newPage();
      watch(page);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * `expect.poll` with room for a loaded machine (its default gives up after 1 s): the page shows what the
 * stream sends within milliseconds, but the test shares two cores with everything else.
 */
export function poll<T>(probe: () => T | Promise<T>, timeout = 10_000) {
  return expect.poll(probe, { timeout, interval: 50 });
}
