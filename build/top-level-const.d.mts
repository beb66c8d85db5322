export declare function constantsOf(source: string): Set<string>;
export declare function restoreConstants(
  code: string,
  constants: (path: string) => ReadonlySet<string>,
): { code: string; changed: number };
export declare function sourceConstants(root: string): {
  load(code: string): Promise<void>;
  get(path: string): Set<string>;
};
