/**
 * Vitest's failure blocks (its default reporter, vitest 1 to 4). After `Failed Tests N` (or `Failed Suites N`),
 * each block is one problem:
 *
 *      FAIL  src/math.test.ts > add > adds big numbers
 *     AssertionError: expected 9 to be 8 // Object.is equality
 *     ...
 *      ❯ src/math.test.ts:9:23
 *     ⎯⎯⎯⎯⎯⎯⎯⎯[1/3]⎯
 *
 * Its message is the block's first line, its place the first `❯` frame in the test file (else the first in the
 * project, else the test file); the test is the names after the file (`add > adds big numbers`). A suite that
 * failed to load (` FAIL  src/x.test.ts [ src/x.test.ts ]`) is one problem named by its file.
 */
import type { Matcher, MatcherContext, Wake } from '../matcher';
import { frameOf, placeOf, testFrame } from './jest';
import type { Frame } from './jest';

const MAX_BLOCK = 1000;
// A workspace project's name before the file: `|unit| src/a.test.ts`.
const PROJECT = /^\|[^|]{1,200}\| /;
const WAKE: Wake = { indented: 'F', needs: ['FAIL '] };

/** ` ❯ [fn ]path:1:2` -> the location, or null. */
function vitestFrame(t: string): Frame | null {
  return t.startsWith('\u276f ') ? frameOf('at ' + t.slice(t.lastIndexOf(' ') + 1)) : null;
}

/** A block's header, ` FAIL  path > suite > test` or ` FAIL  path [ path ]`: the file and the test, or null. */
export function vitestHeader(text: string): { file: string; test: string } | null {
  const t = text.trim();
  if (!t.startsWith('FAIL ')) return null;
  const rest = t.slice(5).trim().replace(PROJECT, '');
  const gt = rest.indexOf(' > ');
  if (gt > 0) return { file: rest.slice(0, gt), test: rest.slice(gt + 3) };
  const br = rest.indexOf(' [ ');
  if (br > 0 && rest.endsWith(' ]')) return { file: rest.slice(0, br), test: rest.slice(0, br) };
  return null;
}

/** The rule that ends a block: `⎯⎯⎯⎯[1/3]⎯`, or a section's `⎯⎯⎯ Failed Tests 3 ⎯⎯⎯`. */
function isRule(t: string): boolean {
  return t.startsWith('\u23af\u23af\u23af');
}

export function createVitestMatcher(): Matcher {
  let block: { file: string; test: string; n: number; lines: string[] } | null = null;

  function finish(ctx: MatcherContext): void {
    const b = block;
    block = null;
    if (b === null) return;
    let message: string | null = null;
    const frames: Frame[] = [];
    for (const raw of b.lines) {
      const s = raw.trim();
      if (s.length === 0) continue;
      if (message === null) {
        message = s;
        continue;
      }
      const f = vitestFrame(s);
      if (f && frames.length < 50) frames.push(f);
    }
    const where = testFrame(frames, b.file);
    ctx.emit({
      ...placeOf(where, b.file),
      severity: 'error',
      tool: 'vitest',
      message: message ?? 'test failed',
      test: b.test,
      logLine: b.n,
    });
  }

  return {
    name: 'vitest',
    wake: WAKE,
    get busy(): boolean {
      return block !== null;
    },
    line(l, ctx) {
      const s = l.text;
      const c = s.length > 0 ? s.charCodeAt(0) : -1;
      if (block !== null) {
        const t = c === 32 ? s.trimStart() : s;
        if (isRule(t) || t.startsWith('Test Files ')) {
          finish(ctx);
          return;
        }
        if (!(c === 32 && t.startsWith('FAIL '))) {
          ctx.claim();
          if (block.lines.length < MAX_BLOCK) block.lines.push(s);
          return;
        }
        finish(ctx);
      }
      if (c !== 32 || ctx.claimed) return;
      const h = vitestHeader(s);
      if (h === null) return;
      ctx.claim();
      block = { ...h, n: l.n, lines: [] };
    },
    flush(ctx) {
      finish(ctx);
    },
  };
}
