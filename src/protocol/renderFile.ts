/**
 * A rendered log handed over in a file (RenderLogParams.viaFile; the server writes it, `server/renderFiles.ts`):
 * the client reads it in pieces and deletes it. No `vscode` here: the extension, the benches and the tests share it.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { RenderLogResult } from './index';

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
