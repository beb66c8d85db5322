import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Worker and end-to-end tests load the compiled code from dist/: `npm test` expects a build.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
