import { test } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPathMapper } from '../../src/core/paths';
import { assertEqualFor } from '../helpers/assert';

function check(
  map: (f: string) => string | null,
  table: ReadonlyArray<readonly [string, string | null]>,
): void {
  for (const [input, want] of table) assertEqualFor(input, map(input), want, 'mapped path');
}

test('runner checkouts map to the workspace root (no workspace: pure string mapping)', () => {
  check(createPathMapper({ workspace: null }), [
    ['/home/runner/work/proj/proj/src/app.py', 'src/app.py'],
    ['/home/runner/work/proj/proj/tests/test_x.py', 'tests/test_x.py'],
    ['/Users/runner/work/proj/proj/lib/a.ts', 'lib/a.ts'],
    ['/__w/proj/proj/pkg/mod.py', 'pkg/mod.py'],
    ['D:\\a\\proj\\proj\\src\\app.py', 'src/app.py'],
    ['D:/a/proj/proj/src/app.py', 'src/app.py'],
    ['C:\\actions-runner\\_work\\proj\\proj\\x.py', 'x.py'],
    ['/home/ci/actions-runner/_work/proj/proj/a/b.py', 'a/b.py'],
    ['/github/workspace/src/main.py', 'src/main.py'],
    ['/builds/group/project/src/app.py', 'src/app.py'],
    ['/builds/Ab12Cd34/0/group/project/src/app.py', 'src/app.py'],
    ['C:\\GitLab-Runner\\builds\\group\\project\\app.py', 'app.py'],
    ['./src/app.py', 'src/app.py'],
    ['src/app.py', 'src/app.py'],
    ['src\\pkg\\mod.py', 'src/pkg/mod.py'],
    ['a/./b/../c.py', 'a/c.py'],
    ['file:///home/runner/work/proj/proj/x.py', 'x.py'],
  ]);
});

test("files that are not the project's map to null", () => {
  check(createPathMapper({ workspace: null }), [
    ['/usr/lib/python3.8/unittest/case.py', null],
    ['/opt/hostedtoolcache/Python/3.11.4/x64/lib/python3.11/site-packages/_pytest/python.py', null],
    ['/home/runner/.local/lib/python3.11/site-packages/x.py', null],
    ['/usr/lib/python3/dist-packages/apt/x.py', null],
    ['.venv/lib/python3.12/site-packages/pkg/m.py', null],
    ['venv/lib/python3.12/site-packages/pkg/m.py', null],
    ['.tox/py311/lib/python3.11/site-packages/m.py', null],
    ['.nox/tests/bin/pytest', null],
    ['node_modules/typescript/lib/tsc.js', null],
    ['/home/runner/work/proj/proj/node_modules/jest/bin/jest.js', null],
    ['<frozen importlib._bootstrap>', null],
    ['<string>', null],
    ['/home/runner/work/_temp/3f1c.sh', null],
    ['/home/runner/work/_actions/actions/checkout/v4/dist/index.js', null],
    ['/__w/_temp/x.sh', null],
    ['/home/runner/work/proj/other/x.py', null],
    ['/home/runner/work/proj/proj', null],
    ['/app/src/main.py', null],
    ['C:\\Users\\runneradmin\\x.py', null],
    ['~/x.py', null],
    ['https://example.com/x.py', null],
    ['', null],
    ['a\u0000b', null],
    ['x'.repeat(5000), null],
  ]);
});

test('paths that escape the workspace are never mapped into it', () => {
  check(createPathMapper({ workspace: null }), [
    ['../x.py', null],
    ['a/../../x.py', null],
    ['./../../etc/passwd', null],
    ['..\\..\\x.py', null],
    ['/home/runner/work/proj/proj/../../../../etc/passwd', null],
    ['/home/runner/work/proj/proj/a/../../x.py', null],
    ['/home/runner/work/proj/proj/a/../../proj/x.py', 'x.py'],
    ['x/%2e%2e/%2e%2e/y.py', 'x/%2e%2e/%2e%2e/y.py'],
    ['a/../x.py', 'x.py'],
  ]);
});

test('GitLab: the checkout folder the log named wins over the /builds/<group>/<project> guess', () => {
  const dirs: string[] = [];
  const map = createPathMapper({ workspace: null, checkoutDirs: () => dirs });
  check(map, [['/builds/group/sub/project/src/app.py', 'project/src/app.py']]);
  dirs.push('/builds/group/sub/project');
  check(map, [
    ['/builds/group/sub/project/src/app.py', 'src/app.py'],
    ['/builds/group/sub/other/x.py', 'other/x.py'],
  ]);
  dirs.push('/ci/checkout');
  check(map, [['/ci/checkout/x.py', 'x.py']]);
});

function tempWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'ci-triage-paths-'));
  const ws = join(root, 'ws');
  mkdirSync(join(ws, 'src', 'pkg'), { recursive: true });
  mkdirSync(join(ws, 'packages', 'app', 'src'), { recursive: true });
  mkdirSync(join(root, 'outside'), { recursive: true });
  writeFileSync(join(ws, 'src', 'pkg', 'mod.py'), '');
  writeFileSync(join(ws, 'packages', 'app', 'src', 'index.ts'), '');
  writeFileSync(join(root, 'outside', 'secret.txt'), '');
  symlinkSync(join(root, 'outside'), join(ws, 'link'));
  symlinkSync(join(ws, 'src'), join(ws, 'inner'));
  return root;
}

test('with a workspace: existing files win, monorepo suffixes, local absolute paths', () => {
  const root = tempWorkspace();
  try {
    const ws = join(root, 'ws');
    check(createPathMapper({ workspace: ws }), [
      ['/home/runner/work/proj/proj/src/pkg/mod.py', 'src/pkg/mod.py'],
      // Checked out into a subfolder (`path: repo`) on the runner.
      ['/home/runner/work/proj/proj/repo/src/pkg/mod.py', 'src/pkg/mod.py'],
      // The runner built a bigger monorepo; this workspace holds part of it.
      ['/home/runner/work/mono/mono/js/packages/app/src/index.ts', 'packages/app/src/index.ts'],
      // Not found anywhere: the plain runner-relative path is the best guess.
      ['/home/runner/work/proj/proj/gone/x.py', 'gone/x.py'],
      ['/builds/group/sub/project/src/pkg/mod.py', 'src/pkg/mod.py'],
      [join(ws, 'src', 'pkg', 'mod.py'), 'src/pkg/mod.py'],
      ['src/pkg/mod.py', 'src/pkg/mod.py'],
      ['new/file.py', 'new/file.py'],
      // A symlink that stays inside the workspace is fine.
      ['inner/pkg/mod.py', 'inner/pkg/mod.py'],
      [join(root, 'outside', 'secret.txt'), null],
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('with a workspace: a symlink never leads out of it', () => {
  const root = tempWorkspace();
  try {
    check(createPathMapper({ workspace: join(root, 'ws') }), [
      ['link/secret.txt', null],
      ['link/missing.txt', null],
      ['./link/../link/secret.txt', null],
      ['/home/runner/work/proj/proj/link/secret.txt', null],
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
