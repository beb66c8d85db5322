import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The `kraken-ladder` command of the package as users install it (`npm pack`, then `npm install`). */
    readonly installedBin: string;
  }
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** What the bundle in dist/ is built from. */
const SOURCES = ["src", "build", "package.json", "package-lock.json"];

/** The newest modification among `paths` (files, or folders searched through), and where. */
function newest(paths: readonly string[]): { path: string; mtimeMs: number } {
  let found = { path: "", mtimeMs: 0 };
  for (const path of paths) {
    const stat = statSync(path);
    const files = stat.isDirectory()
      ? readdirSync(path, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name))
      : [path];
    for (const file of files) {
      const mtimeMs = statSync(file).mtimeMs;
      if (mtimeMs > found.mtimeMs) found = { path: file, mtimeMs };
    }
  }
  return found;
}

/**
 * The worker, fixtures and end-to-end tests run the bundle: stop at once, and clearly, when dist/ is missing
 * or older than what it is built from. Then pack the package and install the tarball into a scratch folder
 * (it has no dependencies, so no network is needed): tests that run the binary run that installed copy.
 */
export default function setup(project: TestProject): () => void {
  const main = join(ROOT, "dist", "main.js");
  if (!existsSync(main)) throw new Error("dist/ is missing: run `npm run build` before `npm test`.");
  const source = newest(SOURCES.map((p) => join(ROOT, p)));
  if (source.mtimeMs > statSync(main).mtimeMs)
    throw new Error(
      `dist/ is older than ${source.path.slice(ROOT.length)}: run \`npm run build\` before \`npm test\`.`,
    );

  const scratch = mkdtempSync(join(tmpdir(), "kraken-ladder-installed-"));
  const npm = (...args: string[]): string =>
    execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: ROOT,
      encoding: "utf8",
    });
  const tarball = npm("pack", "--pack-destination", scratch).trim().split("\n").pop() ?? "";
  npm("install", "--prefix", join(scratch, "app"), "--offline", "--no-package-lock", join(scratch, tarball));
  const bin = join(scratch, "app", "node_modules", ".bin", "kraken-ladder");
  if (!existsSync(bin)) throw new Error(`npm did not install the kraken-ladder command (${bin})`);
  project.provide("installedBin", bin);
  return () => rmSync(scratch, { recursive: true, force: true });
}
