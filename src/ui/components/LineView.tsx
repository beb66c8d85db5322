import { Text } from "ink";
import type { TextProps } from "ink";
import { memo } from "react";
import type { Theme } from "../colors.js";
import type { Segment, Line } from "../view-model/line.js";
import { useTheme } from "./theme-context.js";

function styleOf(segment: Segment, theme: Theme): TextProps {
  const color = segment.role === undefined ? undefined : theme.roles[segment.role];
  return {
    ...(color === undefined ? {} : { color }),
    ...(segment.bold === true ? { bold: true } : {}),
    ...(segment.dim === true ? { dimColor: true } : {}),
    ...(segment.inverse === true ? { inverse: true } : {}),
  };
}

type Props = { readonly line: Line };

function LineText({ line }: Props) {
  const theme = useTheme();
  if (line.segments.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate">
      {line.segments.map((segment, i) => (
        <Text key={i} {...styleOf(segment, theme)}>
          {segment.text}
        </Text>
      ))}
    </Text>
  );
}

/** One fixed-width line; redrawn only when its text or styles change. */
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
