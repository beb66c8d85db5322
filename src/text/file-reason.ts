/**
 * What the file system said, without the call and path a message naming the file already has:
 * `EISDIR: illegal operation on a directory` from Node's `EISDIR: illegal operation on a directory, read`,
 * `ENOENT: no such file or directory` from `…, open '/x.jsonl'`. Any other error: its message.
 */
export function fileReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === "string" && err.message.startsWith(`${code}: `)
    ? err.message.replace(/, \w+( '.*')?$/s, "")
    : err.message;
}
