/**
 * The client side of the CI Triage language server (dist/server.js, its own Node process over IPC). Every
 * log is parsed there, never on the extension host's thread: job logs the extension asks about, and the
 * `ci-log` documents the server serves (diagnostics, outline, folding, links, hover in the editor).
 *
 * The server starts on first use (a parse, a rendered log, or a `ci-log` document opening), not in
 * activate(): most sessions never need it.
 */
import * as vscode from 'vscode';
import { LanguageClient, ResponseError, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import {
  LOG_DOCUMENT_MAX_CHARS,
  LOG_SCHEME,
  LogDocumentClosedNotification,
  LogDocumentOpenedNotification,
  ParseLogFileRequest,
  PLAN_REFUSED,
  ProblemsNotification,
  RenderLogRequest,
  ReproducePlanRequest,
} from '../protocol';
import type {
  CiTriageInitOptions,
  ParseLogFileResult,
  RenderLogResult,
  ReproducePlanParams,
} from '../protocol';
import { renderedTextOf } from '../protocol/renderFile';
import { PlanError } from '../core/reproduce/plan';
import type { ReproPlan } from '../core/reproduce/plan';
import type { Problem } from '../core/model';
import { Disposable } from './disposable';

export const CI_LOG_LANGUAGE = 'ci-log';

export class ParseCancelled extends Error {
  constructor() {
    super('parse cancelled');
  }
}

export class CiLanguageClient extends Disposable {
  private client: LanguageClient | null = null;
  private starting: Promise<LanguageClient> | null = null;
  private nextId = 0;
  private readonly listeners = new Map<string, (ps: Problem[]) => void>();

  constructor(
    private readonly serverModule: string,
    private readonly init: CiTriageInitOptions,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const isLog = (d: vscode.TextDocument) => d.languageId === CI_LOG_LANGUAGE || d.uri.scheme === LOG_SCHEME;
    // A ci-log document needs the server for its outline and diagnostics.
    this.register(
      vscode.workspace.onDidOpenTextDocument((d) => {
        if (isLog(d)) void this.started();
      }),
    );
    if (vscode.workspace.textDocuments.some(isLog)) void this.started();
    this.register({ dispose: () => void this.client?.stop().catch(() => undefined) });
  }

  /** Parses a log file in the server; `onProblems` sees them in batches as they are found. */
  async parseLogFile(
    file: string,
    workspace: string | null,
    token?: vscode.CancellationToken,
    onProblems?: (ps: Problem[]) => void,
  ): Promise<ParseLogFileResult> {
    if (token?.isCancellationRequested) throw new ParseCancelled();
    const client = await this.started();
    const id = `p${++this.nextId}`;
    const problems: Problem[] = [];
    this.listeners.set(id, (ps) => {
      for (const p of ps) problems.push(p);
      onProblems?.(ps);
    });
    try {
      const { problemCount, ...summary } = await client.sendRequest(
        ParseLogFileRequest,
        { file, workspace, id },
        token,
      );
      // The batches were sent before the response on the same channel, so all of them are in.
      if (problemCount !== problems.length)
        this.log.warn(`parse of ${file}: ${problems.length} of ${problemCount} problems arrived`);
      return { ...summary, problems };
    } catch (e) {
      if (token?.isCancellationRequested) throw new ParseCancelled();
      throw new Error(e instanceof Error ? e.message : String(e));
    } finally {
      this.listeners.delete(id);
    }
  }

  /** The reproduction plan of a failed job's log; PlanError when the server refuses it (e.g. a bad image). */
  async reproducePlan(params: ReproducePlanParams, token?: vscode.CancellationToken): Promise<ReproPlan> {
    const client = await this.started();
    try {
      return await client.sendRequest(ReproducePlanRequest, params, token);
    } catch (e) {
      if (e instanceof ResponseError && e.code === PLAN_REFUSED) throw new PlanError(e.message);
      throw new Error(e instanceof Error ? e.message : String(e));
    }
  }

  async renderLog(
    file: string,
    maxChars: number,
    token?: vscode.CancellationToken,
  ): Promise<RenderLogResult> {
    const client = await this.started();
    // A big render comes in a file, read here in pieces: in the response it held this thread for 400-560 ms.
    const r = await client.sendRequest(RenderLogRequest, { file, maxChars, viaFile: true }, token);
    return { ...r, text: await renderedTextOf(r) };
  }

  /** The running client, starting the server once. A failed start is retried on the next call. */
  started(): Promise<LanguageClient> {
    if (this.client) return Promise.resolve(this.client);
    this.starting ??= this.start().catch((e: unknown) => {
      this.starting = null;
      const msg = e instanceof Error ? e.message : String(e);
      this.log.error(`the CI Triage language server did not start: ${msg}`);
      throw new Error(`the CI Triage language server did not start (${msg}); see the CI Triage output`);
    });
    return this.starting;
  }

  private async start(): Promise<LanguageClient> {
    const run = { module: this.serverModule, transport: TransportKind.ipc };
    const serverOptions: ServerOptions = { run, debug: run };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: CI_LOG_LANGUAGE }, { scheme: LOG_SCHEME }],
      initializationOptions: this.init,
      outputChannel: this.log,
      // The server's own failures are in the output; a notification per crash would be noise.
      revealOutputChannelOn: 4 /* RevealOutputChannelOn.Never */,
      // A job log's text comes from the server's render: sending it back in didOpen (23 MB for a 100 MB log)
      // would block this thread to serialize it and the server to read it. The server keeps its own copy.
      middleware: {
        didOpen: (doc, next) =>
          doc.uri.scheme === LOG_SCHEME
            ? client.sendNotification(LogDocumentOpenedNotification, {
                uri: client.code2ProtocolConverter.asUri(doc.uri),
                version: doc.version,
                maxChars: LOG_DOCUMENT_MAX_CHARS,
              })
            : next(doc),
        // The documents are read-only: nothing changes, nothing to send.
        didChange: (e, next) => (e.document.uri.scheme === LOG_SCHEME ? Promise.resolve() : next(e)),
        didClose: (doc, next) =>
          doc.uri.scheme === LOG_SCHEME
            ? client.sendNotification(LogDocumentClosedNotification, {
                uri: client.code2ProtocolConverter.asUri(doc.uri),
              })
            : next(doc),
      },
    };
    const client = new LanguageClient('ciTriage', 'CI Triage Language Server', serverOptions, clientOptions);
    client.onNotification(ProblemsNotification, (p) => this.listeners.get(p.id)?.(p.problems));
    await client.start();
    this.client = client;
    return client;
  }
}
