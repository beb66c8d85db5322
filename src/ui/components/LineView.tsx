import chalk from "chalk";
import { Text } from "ink";
import { memo } from "react";
import type { Theme } from "../colors.js";
import type { Segment, Line } from "../view-model/line.js";
import { useTheme } from "./theme-context.js";

/**
 * A segment's text with its styles, applied in the order Ink's own `<Text>` applies them (dim, colour, bold,
 * inverse) and with the same chalk, so a line drawn as one `<Text>` of styled strings is drawn exactly as
 * nested `<Text color bold …>` elements would be (test/ui/line-view.test.tsx compares the two).
 */
export function styleSegment(segment: Segment, theme: Theme): string {
  let text = segment.text;
  if (segment.dim === true) text = chalk.dim(text);
  const color = segment.role === undefined ? undefined : theme.roles[segment.role];
  if (color !== undefined) text = chalk[color](text);
  if (segment.bold === true) text = chalk.bold(text);
  if (segment.inverse === true) text = chalk.inverse(text);
  return text;
}

/** The line as one styled string. */
export function styleLine(line: Line, theme: Theme): string {
  let text = "";
  for (const segment of line.segments) text += styleSegment(segment, theme);
  return text;
}

type Props = { readonly line: Line };

/**
 * One fixed-width line as a single `<Text>`: one React element and one Ink text node per line instead of one
 * per styled segment, which keeps React's reconciliation and Ink's tree small. Redrawn only when its text or
 * styles change.
 */
function LineText({ line }: Props) {
  const theme = useTheme();
  return <Text wrap="truncate">{line.segments.length === 0 ? " " : styleLine(line, theme)}</Text>;
}

export const LineView = memo(LineText, (a, b) => a.line.signature === b.line.signature);

/** A run of lines. */
export function Lines({ lines }: { readonly lines: readonly Line[] }) {
  return (
    <>
      {lines.map((l) => (
        <LineView key={l.key} line={l} />
      ))}
    </>
  );
}
