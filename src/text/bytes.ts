const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * A size in bytes as a person reads it, exactly: `4 MiB`, `1.25 MiB`, `64 KiB`, `1000 bytes` (binary units,
 * the ones `--max-frame` and the simulator's bounds take).
 */
export function formatBytes(n: number): string {
  if (n >= MIB && n % (MIB / 4) === 0) return `${n / MIB} MiB`;
  if (n >= KIB && n % KIB === 0) return `${n / KIB} KiB`;
  return `${n} bytes`;
}
