/** Adds JSON whitespace around every structural character outside strings: same value, generic parse path. */
export function spaceOut(json: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      out += c;
      if (c === "\\") out += json[++i] ?? "";
      else if (c === '"') inString = false;
    } else if (c === '"') {
      out += c;
      inString = true;
    } else {
      out += "{}[]:,".includes(c) ? ` ${c}\r\n\t` : c;
    }
  }
  return out;
}
