/**
 * A rendered log handed over in a file (RenderLogParams.viaFile): the server writes it, the client reads it in
 * pieces and deletes it. No `vscode` here: the extension, the benches and the tests share it.
 */
import { createReadStream, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { RenderLogResult } from './index';

/** Texts shorter than this travel in the response: a file costs more than it saves. */
export const RENDER_FILE_MIN_CHARS = 1 << 20;

/** The result's text, read from its file (then deleted) when the server handed it over that way. */
export async function renderedTextOf(r: RenderLogResult): Promise<string> {
  if (!r.textFile) return r.text;
  const decoder = new StringDecoder(r.encoding ?? 'utf8');
  const parts: string[] = [];
  try {
    // 1 MiB at a time: each piece is decoded between other work, never the whole text at once.
    for await (const chunk of createReadStream(r.textFile, { highWaterMark: 1 << 20 }))
      parts.push(decoder.write(chunk as Buffer));
    parts.push(decoder.end());
  } finally {
    await rm(r.textFile, { force: true });
  }
  return parts.join('');
}

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
