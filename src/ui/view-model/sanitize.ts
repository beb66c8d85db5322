/**
 * Text that came from the server (symbols, reasons, error messages) must not reach the terminal with
 * control characters in it: an ESC could move the cursor, change colours or retitle the window.
 * C0 controls, DEL, C1 controls and bidirectional overrides are removed; tabs and newlines become spaces.
 */
const WHITESPACE_CONTROLS = /[\t\n\r\v\f]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function sanitize(text: string): string {
  return text.replace(WHITESPACE_CONTROLS, " ").replace(CONTROLS, "");
}
