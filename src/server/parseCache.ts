/**
 * The last few complete parses of log files. Opening a big failed job's log used to parse the same cached file
 * up to three times (the triage, the render's passed-step elision, the log document's analysis); a file is now
 * parsed once per version. A version is the real path, size, modification and change times and inode: the
 * extension's log cache writes a file once, and a rewritten file is a new version.
 */
import { realpath, stat } from 'node:fs/promises';
import type { Environment, LogFormat, Problem, Step } from '../core/model';

export interface CachedParse {
  problems: readonly Problem[];
  steps: Step[];
  environment: Environment;
  format: LogFormat;
  lines: number;
}

const MAX_ENTRIES = 4;
/** Bigger results are not kept: four of them would hold too much. */
const MAX_PROBLEMS = 50_000;

export class ParseCache {
  private readonly entries = new Map<string, CachedParse>();
  readonly stats = { hits: 0, misses: 0 };

  /** The file's current version, or null when it cannot be read. */
  async versionOf(file: string): Promise<string | null> {
    try {
      const real = await realpath(file);
      const s = await stat(real);
      if (!s.isFile()) return null;
      return [real, s.size, s.mtimeMs, s.ctimeMs, s.ino].join('\u0000');
    } catch {
      return null;
    }
  }

  /** The key of the file's current version parsed for `workspace` (paths map into it), or null. */
  async keyOf(file: string, workspace: string | null | undefined): Promise<string | null> {
    const v = await this.versionOf(file);
    return v === null ? null : keyFor(v, workspace);
  }

  /** A parse of this version for any workspace: its steps and log lines do not depend on one. */
  getAnyWorkspace(version: string | null): CachedParse | undefined {
    if (version === null) return undefined;
    for (const [k, v] of this.entries) if (k.startsWith(version + '\u0000')) return v;
    return undefined;
  }

  get(key: string | null): CachedParse | undefined {
    if (key === null) return undefined;
    const hit = this.entries.get(key);
    if (hit) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.stats.hits++;
    } else this.stats.misses++;
    return hit;
  }

  set(key: string | null, value: CachedParse): void {
    if (key === null || value.problems.length > MAX_PROBLEMS) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

export function keyFor(version: string, workspace: string | null | undefined): string {
  return `${version}\u0000${workspace ?? ''}`;
}

/** The server's one cache, shared by the parse and render requests and the log documents. */
export const parseCache = new ParseCache();
