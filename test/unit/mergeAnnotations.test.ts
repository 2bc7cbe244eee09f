import { test } from 'node:test';
import { mergeAnnotations } from '../../src/providers/mergeAnnotations';
import type { Annotation } from '../../src/providers/ciProvider';
import type { Problem } from '../../src/core/model';
import { assertEqualFor } from '../helpers/assert';

const problem = (over: Partial<Problem>): Problem => ({
  file: null,
  path: null,
  line: null,
  column: null,
  severity: 'error',
  tool: 'github',
  message: '',
  test: null,
  logLine: 5,
  step: 'Run tests',
  ...over,
});
const annotation = (over: Partial<Annotation>): Annotation => ({
  file: null,
  line: null,
  endLine: null,
  column: null,
  endColumn: null,
  severity: 'error',
  title: null,
  message: '',
  ...over,
});

test('an annotation gives its file and line to the problem the raw log printed without one', () => {
  const got = mergeAnnotations(
    [problem({ message: 'Coverage dropped below 80%' })],
    [annotation({ file: 'src/gate.py', line: 12, message: 'Coverage dropped below 80%' })],
  );
  assertEqualFor(
    'merge',
    got.map((p) => [p.file, p.line, p.tool, p.logLine]),
    [['src/gate.py', 12, 'github', 5]],
  );
});

test('a new annotation is added once; GitHub’s exit-code annotation is dropped; duplicates by location are not added', () => {
  const got = mergeAnnotations(
    [problem({ file: 'src/app.py', line: 1, tool: 'flake8', message: "F401 'os' imported but unused" })],
    [
      annotation({ message: 'Process completed with exit code 1.' }),
      annotation({ file: 'src/app.py', line: 1, message: "F401 'os' imported but unused" }),
      annotation({ file: 'docs/x.md', line: 3, severity: 'warning', message: 'Broken link\nmore detail' }),
    ],
  );
  assertEqualFor(
    'merge',
    got.map((p) => [p.tool, p.file, p.line, p.severity, p.message]),
    [
      ['flake8', 'src/app.py', 1, 'error', "F401 'os' imported but unused"],
      ['annotation', 'docs/x.md', 3, 'warning', 'Broken link'],
    ],
  );
});
