/**
 * The CI Triage language server (bundled as dist/server.js). Started by the extension over IPC, or by any
 * editor with `node dist/server.js --stdio`. It parses logs off the editor's thread: job logs the extension
 * hands it (`ciTriage/parseLogFile`), and `ci-log` documents.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import type { InitializeResult } from 'vscode-languageserver';
import { registerParseRequests } from './parseRequests';

// createConnection picks the transport from argv: --stdio, --node-ipc or --socket=N.
const connection = createConnection(ProposedFeatures.all);

connection.onInitialize((): InitializeResult => ({
  capabilities: {},
  serverInfo: { name: 'ci-triage', version: '0.1.0' },
}));

registerParseRequests(connection);
connection.listen();
