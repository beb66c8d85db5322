import { createContext, useContext } from "react";
import type { Theme } from "../colors.js";
import { COLOR_THEME } from "../colors.js";

export const ThemeContext = createContext<Theme>(COLOR_THEME);

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
