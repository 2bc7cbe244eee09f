/**
 * The `ciTriage/parseLogFile` and `ciTriage/renderLog` requests: the extension hands the server a log file
 * (a cached job log) and the server streams it from disk, parses it and answers, so no log is ever parsed on
 * the extension host's thread.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import { ResponseError, LSPErrorCodes } from 'vscode-languageserver';
import { parseFileAhead, prescanFor } from '../core/parseAhead';
import type { Problem } from '../core/model';
import { ParseLogFileRequest, ProblemsNotification, RenderLogRequest } from '../protocol';
import type {
  ParseLogFileParams,
  ParseLogFileResult,
  ParseLogFileSummary,
  RenderLogParams,
  RenderLogResult,
} from '../protocol';
import { parseCache } from './parseCache';
import { RENDER_FILE_MIN_CHARS, writeRenderFile } from './renderFiles';
import { planElision, renderLog } from './renderLog';

const CHUNK_BYTES = 1 << 20;
// Large enough that a log full of problems is not thousands of messages, small enough to show early ones soon.
const BATCH = 500;

class Cancelled extends Error {}

/**
 * Streams `file` through the engine; problems go to `onProblems` as found. Throws Cancelled when asked. A file
 * parsed before (same version, same workspace) is answered from the parse cache.
 */
export async function parseLogFile(
  params: Pick<ParseLogFileParams, 'file' | 'workspace'>,
  onProblems: (ps: Problem[]) => void,
  token?: CancellationToken,
): Promise<ParseLogFileResult> {
  const key = await parseCache.keyOf(params.file, params.workspace);
  const hit = parseCache.get(key);
  if (hit) {
    const problems = hit.problems.slice();
    if (problems.length > 0) onProblems(problems);
    return { problems, steps: hit.steps, environment: hit.environment, format: hit.format, lines: hit.lines };
  }
  const problems: Problem[] = [];
  const bytes = await stat(params.file).then(
    (st) => st.size,
    () => 0,
  );
  const parser = await parseFileAhead(
    params.file,
    { workspace: params.workspace },
    (ps) => {
      for (const p of ps) problems.push(p);
      onProblems(ps);
    },
    {
      script: prescanFor(bytes),
      beforeChunk: () => {
        if (token?.isCancellationRequested) throw new Cancelled();
      },
    },
  );
  const result = {
    problems,
    steps: parser.steps,
    environment: parser.environment,
    format: parser.format,
    lines: parser.lines,
  };
  // Kept only if the file did not change while it was read.
  if (key !== null && (await parseCache.keyOf(params.file, params.workspace)) === key)
    parseCache.set(key, { ...result, problems: problems.slice() });
  return result;
}

/** A failure as one clear sentence: a read error names the file and the errno, anything else is a bug. */
export function describeParseError(file: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && typeof err.code === 'string') {
    if (err.code === 'ENOENT') return `the log file ${file} does not exist (any more)`;
    return `cannot read the log file ${file} (${err.code})`;
  }
  return `parsing ${file} failed: ${err instanceof Error ? err.message : String(e)}`;
}

export function registerParseRequests(connection: Connection): void {
  connection.onRequest(ParseLogFileRequest, async (params, token) => {
    let batch: Problem[] = [];
    const flush = () => {
      if (batch.length === 0) return;
      void connection.sendNotification(ProblemsNotification, { id: params.id, problems: batch });
      batch = [];
    };
    try {
      const result = await parseLogFile(
        params,
        (ps) => {
          // A chunk of the log may complete thousands: still no batch over BATCH.
          for (const p of ps) {
            batch.push(p);
            if (batch.length >= BATCH) flush();
          }
        },
        token,
      );
      flush();
      const { problems, ...rest } = result;
      return { ...rest, problemCount: problems.length } satisfies ParseLogFileSummary;
    } catch (e) {
      if (e instanceof Cancelled) return new ResponseError(LSPErrorCodes.RequestCancelled, 'parse cancelled');
      connection.console.error(describeParseError(params.file, e));
      return new ResponseError(1, describeParseError(params.file, e));
    }
  });

  connection.onRequest(
    RenderLogRequest,
    async (params: RenderLogParams, token): Promise<RenderLogResult | ResponseError> => {
      try {
        const r = await renderLogFile(params, token);
        if (!params.viaFile || r.text.length < RENDER_FILE_MIN_CHARS) return r;
        return { ...r, text: '', ...(await writeRenderFile(r.text)) };
      } catch (e) {
        return new ResponseError(1, describeParseError(params.file, e));
      }
    },
  );
}

/**
 * The last renders served, for the `ci-triage-log:` document the client opens right after one: its text is not
 * sent back (LogDocumentOpened), the server's document is this text. Two: a language change reopens the document.
 */
const recentRenders: { file: string; maxChars: number; version: string | null; result: RenderLogResult }[] =
  [];
const RECENT_RENDERS = 2;

/**
 * Renders a log file for reading (see RenderLogRequest). A log too big to show whole is parsed first, so the
 * passed steps can be left out and the failed ones (usually at the end) shown whole.
 */
export async function renderLogFile(
  params: RenderLogParams,
  token: CancellationToken,
): Promise<RenderLogResult> {
  const version = await parseCache.versionOf(params.file);
  const bytes = (await stat(params.file)).size;
  let elision = null;
  if (bytes > params.maxChars) {
    // The triage has usually parsed this file already (for a workspace: steps and lines are the same).
    const parsed =
      parseCache.getAnyWorkspace(version) ??
      (await parseLogFile({ file: params.file, workspace: null }, () => undefined, token));
    elision = planElision(
      parsed.steps,
      parsed.problems.map((p) => p.logLine),
    );
  }
  const r = await renderLog(
    createReadStream(params.file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>,
    params.maxChars,
    () => token.isCancellationRequested,
    elision,
  );
  const result = { ...r, bytes };
  const at = recentRenders.findIndex((x) => x.file === params.file && x.maxChars === params.maxChars);
  if (at >= 0) recentRenders.splice(at, 1);
  recentRenders.unshift({ file: params.file, maxChars: params.maxChars, version, result });
  recentRenders.length = Math.min(recentRenders.length, RECENT_RENDERS);
  return result;
}

/** The text of `file` rendered with `maxChars`: the render just served when the file has not changed since. */
export async function renderedText(
  file: string,
  maxChars: number,
  token: CancellationToken,
): Promise<string> {
  const version = await parseCache.versionOf(file);
  const hit = recentRenders.find((x) => x.file === file && x.maxChars === maxChars);
  if (hit && version !== null && hit.version === version) return hit.result.text;
  return (await renderLogFile({ file, maxChars }, token)).text;
}

/** Drops the renders of `file` (its document closed): a closed log's text is not kept. */
export function forgetRenders(file: string): void {
  for (let i = recentRenders.length - 1; i >= 0; i--)
    if (recentRenders[i]!.file === file) recentRenders.splice(i, 1);
}
