/**
 * Every matcher, in the order they see a line. Specific tools come first; the catch-alls (GitHub
 * annotations, the generic error line) come last and skip lines an earlier matcher claimed.
 */
import { mergeMatchers } from '../matcher';
import type { MatcherFactory } from '../matcher';
import { createPytestMatcher } from './pytest';
import { UNITTEST_WAKE, createUnittestMatcher } from './unittest';
import { DJANGO_WAKE, createDjangoMatcher } from './django';
import { createTracebackMatcher } from './traceback';
import { createDoctestMatcher } from './doctest';
import { createWrappersMatcher } from './wrappers';
import { createMypyMatcher } from './mypy';
import { createRuffMatcher } from './ruff';
import { createFlake8Matcher } from './flake8';
import { createPylintMatcher } from './pylint';
import { FORMATTERS_WAKE, createFormattersMatcher } from './formatters';
import { GITDIFF_WAKE, createGitDiffMatcher } from './gitdiff';
import { createSphinxMatcher } from './sphinx';
import { createLintersMatcher } from './linters';
import { createPrecommitMatcher } from './precommit';
import { createPipMatcher } from './pip';
import { createTscMatcher } from './tsc';
import { createEslintMatcher } from './eslint';
import { createJestMatcher } from './jest';
import { createVitestMatcher } from './vitest';
import { MOCHA_WAKE, createMochaMatcher } from './mocha';
import { PLAYWRIGHT_WAKE, createPlaywrightMatcher } from './playwright';
import { createNodeTestMatcher } from './nodetest';
import { createPrettierMatcher } from './prettier';
import { NPM_WAKE, createNpmMatcher } from './npm';
import { BIOME_WAKE, createBiomeMatcher } from './biome';
import { NODE_WAKE, createNodeMatcher } from './node';
import { VITE_WAKE, createViteMatcher } from './vite';
import { createAnnotationsMatcher } from './annotations';
import { createGenericMatcher } from './generic';

export const allMatchers: readonly MatcherFactory[] = [
  createPytestMatcher,
  // Django's test runner is unittest's; its system check and migration check print before it: one bit for both.
  () =>
    mergeMatchers(
      'unittest+django',
      { first: UNITTEST_WAKE.first!, prefixes: DJANGO_WAKE.prefixes! },
      createUnittestMatcher(),
      createDjangoMatcher(),
    ),
  // pip claims the output boxes of failed builds, so a traceback printed inside one is not reported again.
  createPipMatcher,
  createTracebackMatcher,
  createDoctestMatcher,
  createWrappersMatcher,
  createMypyMatcher,
  createRuffMatcher,
  createFlake8Matcher,
  createPylintMatcher,
  // A formatter, then `git diff --exit-code` to fail on what it changed: one bit for the two.
  () =>
    mergeMatchers(
      'formatters+gitdiff',
      { first: FORMATTERS_WAKE.first!, prefixes: GITDIFF_WAKE.prefixes! },
      createFormattersMatcher(),
      createGitDiffMatcher(),
    ),
  createSphinxMatcher,
  createLintersMatcher,
  createTscMatcher,
  createEslintMatcher,
  createJestMatcher,
  createVitestMatcher,
  // Both print a numbered list of failures (indented digits): one bit of the dispatcher's 31 for the two.
  () =>
    mergeMatchers(
      'mocha+playwright',
      { indented: MOCHA_WAKE.indented!, needs: [...MOCHA_WAKE.needs!, ...PLAYWRIGHT_WAKE.needs!] },
      createMochaMatcher(),
      createPlaywrightMatcher(),
    ),
  createNodeTestMatcher,
  createPrettierMatcher,
  // The package manager and the Rust-built linters a JavaScript job runs through it: one bit for the two.
  () =>
    mergeMatchers(
      'npm+biome',
      { ...NPM_WAKE, last: BIOME_WAKE.last!, indented: BIOME_WAKE.indented! },
      createNpmMatcher(),
      createBiomeMatcher(),
    ),
  // vite build's failure block and esbuild's errors (one dispatcher bit for both: two stay spare).
  () =>
    mergeMatchers(
      'node+vite',
      { ...NODE_WAKE, prefixes: [...NODE_WAKE.prefixes!, ...VITE_WAKE.prefixes!], first: VITE_WAKE.first! },
      createNodeMatcher(),
      createViteMatcher(),
    ),
  // pre-commit reports a failed hook only when no matcher above understood a line of its output.
  createPrecommitMatcher,
  createAnnotationsMatcher,
  createGenericMatcher,
];
