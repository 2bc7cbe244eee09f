// Types for build.mjs, whose shared esbuild options the benches import.
import type { BuildOptions } from 'esbuild';

export declare const common: BuildOptions;
