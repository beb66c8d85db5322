import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, ROOT } from "../../helpers/run-cli.js";

/** `text` as one shell word. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A private tmux server (its own socket, no user config) with one session: a real terminal to run the
 * built binary in, read back with capture-pane, type into with send-keys, and resize.
 */
export class TmuxSession {
  readonly socket = `kraken-ladder-e2e-${process.pid}-${Date.now()}`;
  readonly dir = mkdtempSync(join(tmpdir(), "kraken-ladder-e2e-"));
  readonly session = "ladder";

  tmux(...args: string[]): string {
    return execFileSync("tmux", ["-u", "-L", this.socket, "-f", "/dev/null", ...args], {
      encoding: "utf8",
      env: { ...process.env, LANG: "C.UTF-8", LC_ALL: "C.UTF-8" },
    });
  }

  /** Starts `command` (a shell command line) in a `columns`×`rows` window. */
  start(command: string, columns: number, rows: number): void {
    this.tmux("new-session", "-d", "-s", this.session, "-x", String(columns), "-y", String(rows), command);
  }

  /**
   * Runs `command` (a shell command line) from the project's root in a `columns`×`rows` window, then
   * writes its exit line (see exitLine) and keeps the pane. With `marker`, the shell echoes it first:
   * what the normal screen shows once the program has left the alternate one.
   */
  run(command: string, columns = 100, rows = 24, marker?: string): void {
    const steps = [`cd ${shellQuote(ROOT)}`, ...(marker === undefined ? [] : [`echo ${marker}`]), command];
    steps.push(`echo EXIT=$? > ${shellQuote(join(this.dir, "exit"))}`, "sleep 600");
    this.start(steps.join("; "), columns, rows);
  }

  /**
   * The installed binary with `args` (shell words), through `run`. `env` words come first (`NAME=value`);
   * CI=true always: the bundle's Ink draws live frames regardless (build/patches.mjs), which this proves.
   */
  runApp(args: string, columns: number, rows: number, options: { env?: string; marker?: string } = {}): void {
    const env = `env CI=true${options.env === undefined ? "" : ` ${options.env}`}`;
    this.run(
      `${env} ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args}`,
      columns,
      rows,
      options.marker,
    );
  }

  /** The pane's history and screen as text (what the user can scroll back to), wrapped lines joined. */
  captureWithHistory(): string[] {
    return this.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", this.session)
      .split("\n")
      .map((l) => l.trimEnd());
  }

  /** The screen as text, one entry per line; wrapped lines joined, so a line wider than the pane shows. */
  capture(): string[] {
    const text = this.tmux("capture-pane", "-p", "-J", "-t", this.session);
    // -J keeps the blanks a cleared line ends with; they are not drawn text.
    const lines = text
      .replace(/\n$/, "")
      .split("\n")
      .map((l) => l.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === "") lines.pop();
    return lines;
  }

  /**
   * The screen as tmux holds it, one entry per row, each cell's style written as SGR codes and the spaces at
   * a row's end kept (capture-pane -e -N: without -N, tmux leaves some styled spaces off and not others).
   */
  captureStyled(): string[] {
    return this.tmux("capture-pane", "-p", "-e", "-N", "-t", this.session).replace(/\n$/, "").split("\n");
  }

  /** tmux key names: `Right`, `BTab`, `Escape`, `C-c`, or literal text. */
  keys(...keys: string[]): void {
    this.tmux("send-keys", "-t", this.session, ...keys);
  }

  /** Pastes `text` as a terminal does: in the paste brackets when the program asked for them (mode 2004). */
  paste(text: string): void {
    this.tmux("set-buffer", "--", text);
    this.tmux("paste-buffer", "-p", "-t", this.session);
  }

  resize(columns: number, rows: number): void {
    this.tmux("resize-window", "-t", this.session, "-x", String(columns), "-y", String(rows));
  }

  size(): { columns: number; rows: number } {
    const [columns, rows] = this.tmux(
      "display-message",
      "-p",
      "-t",
      this.session,
      "#{pane_width} #{pane_height}",
    )
      .trim()
      .split(" ")
      .map(Number);
    return { columns: columns ?? 0, rows: rows ?? 0 };
  }

  readFile(name: string): string | undefined {
    try {
      return readFileSync(join(this.dir, name), "utf8");
    } catch {
      return undefined;
    }
  }

  /**
   * The `EXIT=N` line the pane's shell writes to the file `exit` once the program ends, polled for up to
   * `timeoutMs`; undefined if it did not come. The shell creates the file before it writes the line, so an
   * empty file is no answer yet.
   */
  async exitLine(timeoutMs = 10_000): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    const line = (): string | undefined => /EXIT=\d+/.exec(this.readFile("exit") ?? "")?.[0];
    while (line() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return line();
  }

  /** Polls the screen until `ready` accepts it; fails with the last screen after `timeoutMs`. */
  async waitFor(what: string, ready: (lines: string[]) => boolean, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let lines: string[] = [];
    while (Date.now() < deadline) {
      lines = this.capture();
      if (ready(lines)) return lines;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${lines.join("\n")}`);
  }

  /**
   * As `waitFor`, but returns the styled capture (`captureStyled`) that `ready` was judged on, its text
   * without the SGR codes: a second capture after the wait may show a later screen.
   */
  async waitForStyled(
    what: string,
    ready: (lines: string[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let plain: string[] = [];
    while (Date.now() < deadline) {
      const styled = this.captureStyled();
      // eslint-disable-next-line no-control-regex
      plain = styled.map((l) => l.replace(/\u001b\[[\d;]*m/g, "").trimEnd());
      if (ready(plain)) return styled;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${plain.join("\n")}`);
  }

  /** Kills this tmux server (and the program in it) and removes the scratch directory. */
  close(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // Already gone.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[([\d;]*)m/y;

/**
 * Bold, dim and inverse in effect at the first `needle` on line `row` of a `capture-pane -e` screen. tmux
 * writes an attribute only where it changes from the cell before, the last cell of the line above
 * included, so the state is read from the top of the screen.
 */
export function attributesAt(styled: readonly string[], row: number, needle: string) {
  const at = { bold: false, dim: false, inverse: false };
  const text = styled.slice(0, row + 1).join("\n");
  const end = styled.slice(0, row).join("\n").length + (row > 0 ? 1 : 0) + styled[row]!.indexOf(needle);
  for (let i = 0; i < end;) {
    SGR.lastIndex = i;
    const m = SGR.exec(text);
    if (m === null) {
      i++;
      continue;
    }
    i = SGR.lastIndex;
    for (const p of (m[1] || "0").split(";")) {
      if (p === "0") Object.assign(at, { bold: false, dim: false, inverse: false });
      else if (p === "1") at.bold = true;
      else if (p === "2") at.dim = true;
      else if (p === "22") Object.assign(at, { bold: false, dim: false });
      else if (p === "7") at.inverse = true;
      else if (p === "27") at.inverse = false;
    }
  }
  return at;
}

/** Whether tmux can be run at all. */
export function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { encoding: "utf8" });
    return true;
  } catch {
    return false;
  }
}
