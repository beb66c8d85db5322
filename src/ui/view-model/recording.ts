import type { RecordingFailure } from "../../feed/types.js";
import { sanitize } from "../../text/sanitize.js";
import type { Line } from "./line.js";
import { clipLine, line } from "./line.js";
import { middlePath } from "./text.js";

/**
 * The line above the status bar once `--record` has stopped early (a full disk): what happened and that
 * the file is incomplete, in the warning colour and bold so it reads without colour too. One line, at
 * most `width` wide: when it does not fit, the path is shortened in its middle (its file name kept) so the
 * reason fits; when even that is not enough, the reason is dropped.
 */
export function recordingLine(failure: RecordingFailure, width: number): Line {
  const path = sanitize(failure.path);
  const reason = sanitize(failure.reason);
  const said = (shown: string, why: string): string => ` ✗ recording stopped, ${shown} is incomplete${why}`;
  const room = (why: string): number => width - said("", why).length;
  const withReason = said(middlePath(path, room(`: ${reason}`)), `: ${reason}`);
  const text = withReason.length <= width ? withReason : said(middlePath(path, room("")), "");
  return clipLine(line("recording", [{ text, role: "warn", bold: true }]), width);
}
