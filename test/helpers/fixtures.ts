/** The test fixtures on disk. */
import fs from 'node:fs';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** Every `*.log` under test/fixtures, sorted. */
export function fixtureLogs(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.log')) out.push(p);
    }
  };
  walk(FIXTURES);
  return out.sort();
}
