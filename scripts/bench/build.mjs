// Bundles the parser bench with esbuild as scripts/build.mjs bundles the product (same target and format), so the
// parser is measured as it ships: run through tsx's per-file transform it was 10-40% slower on this machine, while
// the floor and the naive baseline (mostly native code) were not, which skewed the ratios against the parser.
import { build } from 'esbuild';

await build({
  entryPoints: ['scripts/bench/bench.ts', 'scripts/bench/child.ts'],
  outdir: 'bench-out/bench',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
});
