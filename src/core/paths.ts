/** Path mapping from what a log prints to the workspace. FIXME(#2): runner checkouts, workspace checks. */
export type PathMapper = (file: string) => string | null;

export interface PathMapperOptions {
  workspace: string | null;
}

export function createPathMapper(_opts: PathMapperOptions): PathMapper {
  return (file) => (file.startsWith('/') || file.includes('..') ? null : file.replace(/^\.\//, ''));
}
