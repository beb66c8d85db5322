/** Number and time text exactly as Kraken writes it. Integers in, text out: no float drift. */

/** An integer count of increments written at `decimals` places, trailing zeros kept: (630050, 1) → `63005.0`. */
export function formatFixed(n: number, decimals: number): string {
  if (decimals === 0) return String(n);
  let s = String(n);
  if (s.length <= decimals) s = "0".repeat(decimals - s.length + 1) + s;
  return s.slice(0, s.length - decimals) + "." + s.slice(s.length - decimals);
}

/**
 * 10^-decimals as Kraken's `instrument` channel writes it (Python float repr):
 * `0.1`, `0.0001`, then exponent notation from 1e-05 on (`1e-08`).
 */
export function incrementText(decimals: number): string {
  if (decimals === 0) return "1";
  if (decimals <= 4) return "0." + "0".repeat(decimals - 1) + "1";
  return `1e-${String(decimals).padStart(2, "0")}`;
}

/** Microseconds since the epoch as RFC 3339 with six fractional digits: `2026-08-01T02:53:53.398143Z`. */
export function rfc3339Micros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2026-08-01T02:53:53.398Z
  const extra = String(micros - ms * 1000).padStart(3, "0");
  return iso.slice(0, 23) + extra + "Z";
}

/** Parses an RFC 3339 timestamp to microseconds since the epoch, keeping all six fractional digits. */
export function parseRfc3339Micros(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (m === null) return undefined;
  const seconds = Date.parse(m[1]! + (m[3] ?? "Z"));
  if (!Number.isFinite(seconds)) return undefined;
  const frac = (m[2] ?? "").padEnd(6, "0").slice(0, 6);
  return seconds * 1000 + Number(frac);
}

let lastMicros = 0;

/** Wall-clock microseconds, never going backwards within this process. */
export function nowMicros(): number {
  const t = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastMicros = t > lastMicros ? t : lastMicros + 1;
  return lastMicros;
}
