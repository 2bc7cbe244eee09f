/**
 * The messages the extension and the CI Triage language server exchange beyond standard LSP, all named
 * `ciTriage/...`, and the `ci-triage-log:` URI scheme both sides read. No `vscode` here: the server, the
 * client and the tests share this file.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Environment, LogFormat, Problem, Step } from '../core/model';
import type { ImageApproximations, ReproPlan } from '../core/reproduce/plan';

/** `initializationOptions` the client sends. */
export interface CiTriageInitOptions {
  /** Folder of the log cache: the only place a `ci-triage-log:` URI may point the server at. */
  logCacheDir: string | null;
}

export interface ParseLogFileParams {
  /** Absolute path of a log file (a cached job log or a file the user opened). */
  file: string;
  /** Folder the problems' `path` is made relative to, or null. */
  workspace: string | null;
  /** Echoed in the progress notifications, so a client can tell parses apart. */
  id: string;
}

/** What the response carries; the problems themselves came before it, in `ciTriage/problems` batches. */
export interface ParseLogFileSummary {
  /** How many problems the batches carried (a check that none was lost). */
  problemCount: number;
  steps: Step[];
  environment: Environment;
  format: LogFormat;
  lines: number;
}

/** A parse's whole result, once the client has gathered the batches. */
export interface ParseLogFileResult extends Omit<ParseLogFileSummary, 'problemCount'> {
  problems: Problem[];
}

/**
 * Parses a log file in the server process, streamed from disk. The problems arrive as they are found, in
 * batches of at most 500, as `ciTriage/problems` notifications sent before the response; the response is
 * only a summary. One huge response would be parsed in one piece on the client's thread (170 ms for 7,800
 * problems, measured), many small batches are not. Cancel with `$/cancelRequest`.
 */
export const ParseLogFileRequest = new RequestType<ParseLogFileParams, ParseLogFileSummary, void>(
  'ciTriage/parseLogFile',
);

export interface ProblemsParams {
  id: string;
  problems: Problem[];
}

export const ProblemsNotification = new NotificationType<ProblemsParams>('ciTriage/problems');

export interface RenderLogParams {
  file: string;
  /** Stop after this many characters of text (whole lines); VS Code does not sync documents over 50 MB. */
  maxChars: number;
  /**
   * Hand a big text over in a file (`textFile`) rather than in the response: a 22 MB response held the
   * receiving thread for 400-560 ms while it was decoded and parsed (measured), a file is read in pieces.
   */
  viaFile?: boolean;
}

export interface RenderLogResult {
  /**
   * One line per log line (line N of the text is line N of the log): timestamps and ANSI removed. Empty when
   * it is in `textFile`.
   */
  text: string;
  /** With `viaFile`, for a big text: a file (in a private temporary folder) that holds it; the reader deletes it. */
  textFile?: string;
  /** How `textFile` is encoded: latin1 when every character fits in one byte, else utf8. */
  encoding?: 'latin1' | 'utf8';
  /** Lines rendered, and lines in the log. */
  lines: number;
  totalLines: number;
  truncated: boolean;
  /** Lines left blank: a passed step's body, in a log too big to show whole (line N stays log line N). */
  elided: number;
  /** Size of the log file in bytes. */
  bytes: number;
}

/**
 * Renders a raw log for reading: timestamps, columns and ANSI removed, one text line per log line. A log over
 * `maxChars` has its passed steps' bodies blanked first (said so on the line after each step's name), and is
 * cut at `maxChars` only if it is still too big.
 */
export const RenderLogRequest = new RequestType<RenderLogParams, RenderLogResult, void>('ciTriage/renderLog');

export interface LogDocumentOpenedParams {
  /** The `ci-triage-log:` document's URI, as the client's requests name it. */
  uri: string;
  version: number;
  /** The `maxChars` its text was rendered with (`ciTriage/renderLog`). */
  maxChars: number;
}

/**
 * The client opened a `ci-triage-log:` document, whose text it does not sync: the server takes the text from its
 * own render of the cached log (the one it just served for the document, or a new one). A 23 MB render sent back
 * in `didOpen` took the server 1.1 s to receive and stalled its other requests for 290 ms (measured).
 */
export const LogDocumentOpenedNotification = new NotificationType<LogDocumentOpenedParams>(
  'ciTriage/logDocumentOpened',
);

/** The client closed a `ci-triage-log:` document it announced with `ciTriage/logDocumentOpened`. */
export const LogDocumentClosedNotification = new NotificationType<{ uri: string }>(
  'ciTriage/logDocumentClosed',
);

export const LOG_SCHEME = 'ci-triage-log';

/**
 * The most text a `ci-triage-log:` document is rendered with. VS Code does not hand documents over 50 MB to
 * extensions: stay well below.
 */
export const LOG_DOCUMENT_MAX_CHARS = 40_000_000;

/** What a `ci-triage-log:` URI says: which job's log, and where the server finds the raw cached file. */
export interface LogDocumentInfo {
  /** Absolute path of the cached raw log. */
  file: string;
  /** Human title, e.g. "tests (3.12)". */
  job: string;
  /** The job's web page, or null. */
  url: string | null;
  /** Workspace folder the log's paths map into, or null. */
  workspace: string | null;
}

/**
 * `ci-triage-log:/<job>.ci.log?<json>` (the `.ci.log` suffix gives it the `ci-log` language). The path gives the editor tab a readable name; the query carries the
 * rest, so the URI alone lets the server find the raw log (within the log cache only, checked server-side).
 */
export function logDocumentUri(info: LogDocumentInfo): string {
  const name = info.job.replace(/[\\/?#%\s]+/g, '-').replace(/^-+|-+$/g, '') || 'job';
  return `${LOG_SCHEME}:/${encodeURIComponent(name)}.ci.log?${encodeURIComponent(JSON.stringify(info))}`;
}

/** The info in a `ci-triage-log:` URI string, or null when it is not one or is malformed. */
export function parseLogDocumentUri(uri: string): LogDocumentInfo | null {
  if (!uri.startsWith(`${LOG_SCHEME}:`)) return null;
  const q = uri.indexOf('?');
  if (q < 0) return null;
  let v: unknown;
  try {
    v = JSON.parse(decodeURIComponent(uri.slice(q + 1).replace(/#.*$/, '')));
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  if (typeof o.file !== 'string' || typeof o.job !== 'string') return null;
  return {
    file: o.file,
    job: o.job,
    url: typeof o.url === 'string' ? o.url : null,
    workspace: typeof o.workspace === 'string' ? o.workspace : null,
  };
}

/** The last line of a truncated log document says so (appended, so line N stays log line N). */
export const TRUNCATED_MARKER = '[CI Triage] This log is truncated here';

export interface ReproducePlanParams {
  /** The failed job's log on disk. */
  logFile: string;
  /** The workspace folder (its CI files are read; paths map into it). */
  workspace: string;
  /** Narrow to this failed test or linted file. */
  focus: Problem | null;
  approximations: ImageApproximations | null;
}

/** The error code of a plan the server refuses (an invalid image reference, nothing to run). */
export const PLAN_REFUSED = 2;

/** Works out how to reproduce a failed job locally (core/reproduce), reading its log in the server. */
export const ReproducePlanRequest = new RequestType<ReproducePlanParams, ReproPlan, void>(
  'ciTriage/reproducePlan',
);
