import { Command, Option } from "commander";
import { addFeedOptions, toFeedSetupOptions } from "./program.js";
import type { FeedFlags } from "./program.js";
import type { CorsOrigins } from "../serve/cors.js";
import { parseCorsOrigins, parsePort, parsePositiveSeconds } from "./parsers.js";
import { addConfigOption } from "./settings.js";
import { addMarketOptions, toMarketOptions } from "./watch-flags.js";
import type { MarketFlags } from "./watch-flags.js";

type ServeFlags = FeedFlags &
  MarketFlags & {
    host: string;
    port: number;
    token?: string;
    auth: boolean;
    cors?: CorsOrigins;
    clientTimeout: number;
  };

/** `kraken-ladder serve [symbols...]`: the verified books over HTTP, SSE and Prometheus metrics. */
export function serveCommand(): Command {
  const cmd = new Command("serve")
    .description(
      "serve the verified books over HTTP: JSON, Server-Sent Events, Prometheus metrics, a web page",
    )
    .helpOption("-h, --help", "show this help")
    .argument(
      "[symbols...]",
      "pairs to serve, e.g. BTC/USD ETH/USD (default: the config file's symbols, else BTC/USD)",
    );
  addConfigOption(addMarketOptions(addFeedOptions(cmd)))
    .option("--host <host>", "address to listen on (anything but loopback needs a token)", "127.0.0.1")
    .option("--port <n>", "port to listen on; 0 picks a free one", parsePort, 8787)
    .addOption(
      new Option(
        "--token <token>",
        "require Authorization: Bearer <token> on every endpoint but /health",
      ).env("KRAKEN_LADDER_TOKEN"),
    )
    .option("--no-auth", "serve without a token even when not bound to loopback")
    .option(
      "--cors <origins>",
      "let pages of these origins (scheme://host:port, comma-separated; * for any) read the answers from a browser",
      parseCorsOrigins,
    )
    .addOption(
      new Option("--client-timeout <s>", "drop an SSE client whose socket stays backed up this long")
        .argParser(parsePositiveSeconds)
        .default(10_000, "10"),
    )
    .action(async (symbols: string[], flags: ServeFlags) => {
      const { runServe } = await import("../serve/run-serve.js");
      process.exitCode = await runServe({
        ...toFeedSetupOptions(symbols, flags),
        ...toMarketOptions(flags),
        host: flags.host,
        port: flags.port,
        ...(flags.token === undefined ? {} : { token: flags.token }),
        noAuth: !flags.auth,
        ...(flags.cors === undefined ? {} : { cors: flags.cors }),
        clientTimeoutMs: flags.clientTimeout,
      });
    });
  return cmd;
}
