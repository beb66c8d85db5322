import { isAbsolute, join } from "node:path";

/** The environment variable that names the config file (the `--config` flag wins over it). */
export const CONFIG_ENV = "KRAKEN_LADDER_CONFIG";

type Env = { readonly [name: string]: string | undefined };

/**
 * Where the config file lives by default, the platform's usual place: `$XDG_CONFIG_HOME/kraken-ladder/`
 * when that variable holds an absolute path (on any platform, as the XDG spec asks), else
 * `%APPDATA%\kraken-ladder\` on Windows, `~/Library/Application Support/kraken-ladder/` on macOS, and
 * `~/.config/kraken-ladder/` elsewhere. The file is `config.toml`.
 */
export function defaultConfigPath(env: Env, platform: NodeJS.Platform, home: string): string {
  const xdg = env["XDG_CONFIG_HOME"];
  if (xdg !== undefined && xdg !== "" && isAbsolute(xdg)) return join(xdg, "kraken-ladder", "config.toml");
  const appData = env["APPDATA"];
  if (platform === "win32" && appData !== undefined && appData !== "")
    return join(appData, "kraken-ladder", "config.toml");
  if (platform === "darwin")
    return join(home, "Library", "Application Support", "kraken-ladder", "config.toml");
  return join(home, ".config", "kraken-ladder", "config.toml");
}

/** Which config file a run reads, and why: named by `--config`, by KRAKEN_LADDER_CONFIG, or the default. */
export type ConfigLocation = {
  readonly path: string;
  /** Named explicitly (flag or environment): a missing file is then an error, not an empty config. */
  readonly explicit: boolean;
  readonly source: "flag" | "env" | "default";
};

export function configLocation(
  flag: string | undefined,
  env: Env,
  platform: NodeJS.Platform,
  home: string,
): ConfigLocation {
  if (flag !== undefined && flag !== "") return { path: flag, explicit: true, source: "flag" };
  const named = env[CONFIG_ENV];
  if (named !== undefined && named !== "") return { path: named, explicit: true, source: "env" };
  return { path: defaultConfigPath(env, platform, home), explicit: false, source: "default" };
}
