import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The worker and end-to-end tests run the bundle: global setup stops when dist/ is missing or older
    // than its sources, then packs the package and installs it for the tests that run the binary.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
