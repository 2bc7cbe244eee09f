// Bundles the parser bench as scripts/build.mjs bundles the product (the same options), so the parser is measured
// as it ships: run through tsx's per-file transform it was 10-40% slower on this machine, while the floor and the
// naive baseline (mostly native code) were not, which skewed the ratios against the parser.
import { build } from 'esbuild';
import { common } from '../build.mjs';

await build({
  ...common,
  entryPoints: ['scripts/bench/bench.ts', 'scripts/bench/child.ts'],
  outdir: 'bench-out/bench',
});
// The parser's pre-scan thread, where parseChunksAhead looks for it (next to the bundle).
await build({ ...common, entryPoints: ['src/core/prescanThread.ts'], outfile: 'bench-out/bench/prescan.js' });
