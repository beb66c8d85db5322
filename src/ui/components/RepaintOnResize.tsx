import { useStdout } from "ink";
import { useEffect } from "react";
import { CLEAR_SCREEN } from "../terminal.js";

/**
 * After every resize, clears the terminal and has Ink draw every line of the frame again.
 *
 * A resized terminal may have cut, moved or kept the lines it showed, so what is on screen is unknown. Ink's
 * incremental renderer only writes the lines that differ from the frame it believes is on screen, and Ink
 * forgets that frame only when the width shrinks. Writing through Ink (`useStdout().write`) is the way Ink
 * offers to put text on the terminal outside its frame: it forgets the frame, writes, and draws the whole
 * frame afresh. Ink's own resize handler is registered before this component mounts, so by the time this
 * runs Ink has rendered the frame at the new size (the ladder commits the new size before Ink hears of it).
 * Renders nothing. For a real terminal only: on a static or fake one there is nothing to repaint.
 */
export function RepaintOnResize() {
  const { stdout, write } = useStdout();
  useEffect(() => {
    const repaint = (): void => write(CLEAR_SCREEN);
    stdout.on("resize", repaint);
    return () => {
      stdout.off("resize", repaint);
    };
  }, [stdout, write]);
  return null;
}
