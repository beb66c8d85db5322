import { memo } from "react";
import type { Line } from "../view-model/line.js";
import { line, sameLine } from "../view-model/line.js";
import { paddingKey } from "../view-model/screen.js";
import { Lines } from "./LineView.js";

type HelpProps = { readonly lines: readonly Line[]; readonly padding: number };

function sameHelp(a: HelpProps, b: HelpProps): boolean {
  return (
    a.padding === b.padding &&
    a.lines.length === b.lines.length &&
    a.lines.every((l, i) => {
      const other = b.lines[i];
      return other !== undefined && sameLine(l, other);
    })
  );
}

/** The `?` overlay: every key and what the glyphs mean, then `padding` blank lines. */
export const Help = memo(function Help({ lines, padding }: HelpProps) {
  const padded = [...lines];
  for (let i = 0; i < padding; i++) padded.push(line(paddingKey(lines.length + i), []));
  return <Lines lines={padded} />;
}, sameHelp);
