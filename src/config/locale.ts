type Env = { readonly [name: string]: string | undefined };

/**
 * The variable that decides the character set, as the C library reads it: the first non-empty of
 * LC_ALL, LC_CTYPE and LANG; undefined when none is set (the "C" locale).
 */
export function localeVariable(env: Env): { readonly name: string; readonly value: string } | undefined {
  for (const name of ["LC_ALL", "LC_CTYPE", "LANG"]) {
    const value = env[name];
    if (value !== undefined && value !== "") return { name, value };
  }
  return undefined;
}

/**
 * Whether the terminal can be expected to show UTF-8 glyphs: on Windows always (its terminals do, and
 * the POSIX variables mean nothing there); elsewhere when the locale's character set is UTF-8.
 */
export function localeIsUtf8(env: Env, platform: NodeJS.Platform): boolean {
  if (platform === "win32") return true;
  const locale = localeVariable(env);
  return locale !== undefined && /utf-?8/i.test(locale.value);
}
