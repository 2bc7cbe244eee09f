/**
 * Finished jobs' logs on disk, keyed by provider, repository, job and attempt, so reopening one costs no
 * request. A log is written while the parser reads it (temp file, renamed into place only when the whole
 * log arrived), and the cache stays under a size bound by evicting the least recently used logs.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { LogStream, ProviderKind } from './ciProvider';

export interface LogKey {
  provider: ProviderKind;
  repo: string;
  jobId: string;
  attempt: number;
}

export interface LogCacheOptions {
  dir: string;
  /** Total size kept (default 512 MB). */
  maxBytes?: number;
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'ci-triage', 'logs');
}

export class LogCache {
  readonly dir: string;
  private readonly maxBytes: number;

  constructor(opts: LogCacheOptions) {
    this.dir = opts.dir;
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  }

  fileFor(key: LogKey): string {
    const h = createHash('sha256')
      .update(`${key.provider}\0${key.repo}\0${key.jobId}\0${key.attempt}`)
      .digest('hex');
    return join(this.dir, `${key.provider}-${key.jobId}-${key.attempt}-${h.slice(0, 16)}.log`);
  }

  /** The cached log, or null. Reading it marks it recently used. */
  async read(key: LogKey): Promise<LogStream | null> {
    const file = this.fileFor(key);
    try {
      await stat(file);
      const now = new Date();
      await utimes(file, now, now).catch(() => {});
    } catch {
      return null;
    }
    return createReadStream(file) as AsyncIterable<Uint8Array>;
  }

  async has(key: LogKey): Promise<boolean> {
    return stat(this.fileFor(key)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Passes `source` through while writing it to disk. The file appears (atomically, by rename) only once
   * the source ended normally; a failed or abandoned download leaves nothing behind.
   */
  tee(key: LogKey, source: LogStream): LogStream {
    const file = this.fileFor(key);
    const dir = this.dir;
    const evict = () => this.evict();
    return (async function* () {
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const fh = await open(tmp, 'w');
      let ok = false;
      try {
        for await (const chunk of source) {
          await fh.write(chunk);
          yield chunk;
        }
        ok = true;
      } finally {
        await fh.close().catch(() => {});
        if (ok) {
          await rename(tmp, file);
          await evict().catch(() => {});
        } else {
          await unlink(tmp).catch(() => {});
        }
      }
    })();
  }

  /** Deletes the least recently used logs until the total fits the bound. */
  async evict(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const files: { path: string; size: number; used: number }[] = [];
    for (const n of names) {
      if (!n.endsWith('.log')) continue;
      const p = join(this.dir, n);
      try {
        const s = await stat(p);
        files.push({ path: p, size: s.size, used: s.mtimeMs });
      } catch {
        // removed meanwhile by another process
      }
    }
    let total = files.reduce((a, f) => a + f.size, 0);
    files.sort((a, b) => a.used - b.used);
    for (const f of files) {
      if (total <= this.maxBytes) break;
      await unlink(f.path).catch(() => {});
      total -= f.size;
    }
  }
}
