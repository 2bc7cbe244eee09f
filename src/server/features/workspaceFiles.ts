/**
 * From a path as a log printed it to a file of the workspace that exists, or null. The engine's path mapper
 * decides what the path means (a checkout path, a relative path, site-packages); this adds that the file
 * must exist and that its real path stays inside the workspace, so a link never leads out of it.
 */
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPathMapper } from '../../core/paths';
import type { PathMapper } from '../../core/paths';

export interface WorkspaceFile {
  /** Workspace-relative, "/"-separated. */
  path: string;
  /** `file:` URI of the file. */
  uri: string;
}

const MAX_CACHE = 10_000;

export class WorkspaceFiles {
  private readonly map: PathMapper;
  private readonly root: string | null;
  private readonly cache = new Map<string, WorkspaceFile | null>();

  constructor(readonly workspace: string | null) {
    this.map = createPathMapper({ workspace });
    this.root = workspace ? realOrNull(workspace) : null;
  }

  /** The workspace file `printed` names, or null (no workspace, not a project file, missing, or outside). */
  resolve(printed: string): WorkspaceFile | null {
    if (!this.root) return null;
    const hit = this.cache.get(printed);
    if (hit !== undefined) return hit;
    let out: WorkspaceFile | null = null;
    const rel = this.map(printed);
    if (rel !== null) {
      const real = realOrNull(join(this.root, ...rel.split('/')));
      if (real && inside(this.root, real) && isFile(real)) {
        out = { path: rel, uri: pathToFileURL(join(this.workspace!, ...rel.split('/'))).href };
      }
    }
    if (this.cache.size >= MAX_CACHE) this.cache.clear();
    this.cache.set(printed, out);
    return out;
  }
}

/** One resolver per workspace folder, shared by a document's requests. */
export class WorkspaceFilesPool {
  private readonly pool = new Map<string, WorkspaceFiles>();
  private readonly none = new WorkspaceFiles(null);

  for(workspace: string | null): WorkspaceFiles {
    if (!workspace) return this.none;
    let w = this.pool.get(workspace);
    if (!w) {
      w = new WorkspaceFiles(workspace);
      this.pool.set(workspace, w);
    }
    return w;
  }

  /** Files appear and disappear: forget what was checked. */
  clear(): void {
    this.pool.clear();
  }
}

/** `file:///x#L12,5`: VS Code opens the file there; other editors open the file. */
export function withPosition(uri: string, line: number | null, column: number | null): string {
  if (line === null || line < 1) return uri;
  return column !== null && column >= 1 ? `${uri}#L${line},${column}` : `${uri}#L${line}`;
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep);
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function realOrNull(p: string): string | null {
  try {
    return realpathSync.native(p);
  } catch {
    return null;
  }
}
