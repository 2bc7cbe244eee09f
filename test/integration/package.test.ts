import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');

test(
  'the .vsix holds the bundles, media and manifest only: no sources, tests or source maps',
  { timeout: 60_000 },
  () => {
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, `vsce ls failed: ${r.stderr}`);
    const files = r.stdout.split('\n').filter((l) => l.trim().length > 0);
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
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const r = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
    for (const f of ['dist/server.js', 'dist/prescan.js'])
      assert.ok(r.stdout.split('\n').includes(f), `${f} missing from:\n${r.stdout}`);
  },
);
