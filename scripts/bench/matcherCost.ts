/**
 * Per-matcher cost on a log held in memory: `node --import tsx scripts/bench/matcherCost.ts LOG [name...]`.
 * Prints the time with no matcher and what each matcher adds to it, in ns per line (best of 5): its own work and
 * framing the lines it wakes (a GitHub line no matcher wakes is not framed at all).
 */
import fs from 'node:fs';
import { LineSplitter } from '../../src/core/lines';
import { LogParser } from '../../src/core/parser';
import { allMatchers } from '../../src/core/matchers/registry';
import type { MatcherFactory } from '../../src/core/matcher';

const file = process.argv[2];
if (!file) throw new Error('usage: matcherCost.ts LOG [matcher-name...]');
const only = process.argv.slice(3);
const buf = fs.readFileSync(file);
const lines: string[] = [];
const splitter = new LineSplitter();
for (let i = 0; i < buf.length; i += 65536)
  for (const l of splitter.push(buf.subarray(i, i + 65536))) lines.push(l);
for (const l of splitter.end()) lines.push(l);

function time(matchers: readonly MatcherFactory[]): number {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const p = new LogParser({ matchers });
    for (const l of lines) p.push(l);
    p.end();
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / lines.length;
}

const base = time([]);
const mb = buf.length / 1e6;
const mbps = (ns: number) => ((mb * 1e3) / ((ns * lines.length) / 1e6)).toFixed(0);
console.log(`${lines.length} lines, ${mb.toFixed(1)} MB`);
console.log(`no matcher: ${base.toFixed(0)} ns/line (${mbps(base)} MB/s)`);
for (const f of allMatchers) {
  const name = f().name;
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`  + ${name.padEnd(12)} ${(time([f]) - base).toFixed(0).padStart(5)} ns/line`);
}
const all = time(allMatchers);
console.log(`all matchers: ${all.toFixed(0)} ns/line (${mbps(all)} MB/s)`);
