import type { RecordingFailure } from "../../feed/types.js";
import { sanitize } from "../../text/sanitize.js";
import type { Line } from "./line.js";
import { clipLine, line } from "./line.js";

/**
 * The line above the status bar once `--record` has stopped early (a full disk): what happened and that
 * the file is incomplete, in the warning colour and bold so it reads without colour too. One line, at
 * most `width` wide; the reason is dropped first when it does not fit.
 */
export function recordingLine(failure: RecordingFailure, width: number): Line {
  const path = sanitize(failure.path);
  const reason = sanitize(failure.reason);
  const long = ` ✗ recording stopped, ${path} is incomplete: ${reason}`;
  const text = long.length <= width ? long : ` ✗ recording stopped, ${path} is incomplete`;
  return clipLine(line("recording", [{ text, role: "warn", bold: true }]), width);
}
