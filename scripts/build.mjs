// Bundles the extension, the CLI, the language server and the parser's pre-scan thread with esbuild.
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';

/** The options every bundle shares (the bench's too: scripts/bench/build.mjs). */
export const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
};
const entries = [
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' },
  // The parser's pre-scan thread (src/core/parseAhead.ts), next to the CLI and the server that start it.
  { entryPoints: ['src/core/prescanThread.ts'], outfile: 'dist/prescan.js' },
];
// No top-level await: the benches load this module through require() (tsx) for `common`.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  Promise.all(entries.map((e) => build({ ...common, ...e }))).catch(() => {
    // esbuild has printed the errors (logLevel warning).
    process.exitCode = 1;
  });
}
