/**
 * A stand-in engine for tests whose subject is the transport, not the parsing: two fixed matchers
 * (a flake8 line and pytest's FAILED summary), so those tests do not move when the real matchers improve.
 */
import type { MatcherFactory } from '../../src/core/matcher';

const FLAKE8 = /^(\S{1,300}\.py):(\d{1,7}):(\d{1,5}): ([A-Z]{1,3}\d{1,4}) (.{1,500})$/;
const PYTEST = /^FAILED (\S{1,300}?)::(\S{1,300}) - (.{1,500})$/;

export const tinyMatchers: readonly MatcherFactory[] = [
  () => ({
    name: 'tiny',
    line(l, ctx) {
      const t = l.text;
      if (t.startsWith('FAILED ')) {
        const m = PYTEST.exec(t);
        if (m)
          ctx.emit({
            file: m[1]!,
            line: null,
            severity: 'error',
            tool: 'pytest',
            message: m[3]!,
            test: `${m[1]}::${m[2]}`,
          });
        return;
      }
      if (t.indexOf('.py:') < 0) return;
      const m = FLAKE8.exec(t);
      if (m)
        ctx.emit({
          file: m[1]!,
          line: Number(m[2]),
          column: Number(m[3]),
          severity: 'error',
          tool: 'flake8',
          code: m[4]!,
          message: m[5]!,
        });
    },
  }),
];
