import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

/** What `vsce ls` lists for the package (the first call runs it). */
let listed: string[] | null = null;
function packageFiles(): string[] {
  if (listed === null) {
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `vsce ls failed: ${r.stderr}`);
    listed = r.stdout.split('\n').filter((l) => l.trim().length > 0);
  }
  return listed;
}

test(
  'the .vsix holds the bundles, media and manifest only: no sources, tests or source maps',
  { timeout: 60_000 },
  () => {
    const files = packageFiles();
    const bad = files.filter((f) => /^(src|test|scripts|node_modules)\/|\.map$|\.ts$/.test(f));
    assert.deepEqual(bad, [], `unexpected files in the package: ${files.join(', ')}`);
    assert.ok(files.includes('dist/extension.js'), `dist/extension.js missing from: ${files.join(', ')}`);
    assert.ok(files.includes('dist/cli.js'), `dist/cli.js missing from: ${files.join(', ')}`);
  },
);

test(
  "the .vsix ships the language server and the parser's pre-scan thread it starts",
  { timeout: 60_000 },
  () => {
    const files = packageFiles();
    for (const f of ['dist/server.js', 'dist/prescan.js'])
      assert.ok(files.includes(f), `${f} missing from:\n${files.join('\n')}`);
  },
);
