/**
 * The server's side of a rendered log handed over in a file (RenderLogParams.viaFile): written to a private
 * temporary folder; the client reads and deletes it (`protocol/renderFile.ts`).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Texts shorter than this travel in the response: a file costs more than it saves. */
export const RENDER_FILE_MIN_CHARS = 1 << 20;

let dir: Promise<string> | null = null;
let dirPath: string | null = null;
const written: string[] = [];
/** Files a reader has not deleted (a cancelled open) are deleted after this many newer ones. */
const KEEP = 4;

/** Writes `text` to a new file in the server's private temporary folder; returns it and its encoding. */
export async function writeRenderFile(
  text: string,
): Promise<{ textFile: string; encoding: 'latin1' | 'utf8' }> {
  dir ??= mkdtemp(join(tmpdir(), 'ci-triage-render-')).then((d) => (dirPath = d));
  const d = await dir;
  const textFile = join(d, `${Date.now()}-${written.length}.txt`);
  const encoding = /[^\u0000-\u00ff]/.test(text) ? 'utf8' : 'latin1';
  await writeFile(textFile, text, { encoding, mode: 0o600 });
  written.push(textFile);
  while (written.length > KEEP) await rm(written.shift()!, { force: true });
  return { textFile, encoding };
}

/** Removes the server's temporary folder (synchronously: at exit). */
export function removeRenderFiles(): void {
  if (dirPath) rmSync(dirPath, { recursive: true, force: true });
}
