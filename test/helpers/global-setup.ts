import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

// The worker thread and the end-to-end tests run the compiled code: fail early and clearly without it.
export default function setup(): void {
  const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
  if (!existsSync(main)) {
    throw new Error("dist/ is missing: run `npm run build` before `npm test`.");
  }
}
