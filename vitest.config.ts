import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // No test reads the config file of whoever runs them: the default place is an empty folder (a test
    // that wants a file names it with KRAKEN_LADDER_CONFIG or --config).
    env: { XDG_CONFIG_HOME: join(tmpdir(), "kraken-ladder-tests-no-config"), KRAKEN_LADDER_CONFIG: "" },
    // The worker and end-to-end tests run the bundle: global setup stops when dist/ is missing or older
    // than its sources, then packs the package and installs it for the tests that run the binary.
    globalSetup: ["test/helpers/global-setup.ts"],
  },
});
