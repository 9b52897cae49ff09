/**
 * `npm run test:security` reporter: writes `bench/results/security.json` from the run itself —
 * per test file (suite) the tests and their states, the figures a test recorded about its own run
 * (`task.meta.security`: the tokens in the corpus, the claim sets generated, granted and refused),
 * the time, and whether the security suites passed. Nothing in it is typed in by hand. Only the
 * files under test/security/ count, so the reporter can ride along a whole-repository run
 * (`.ci/run` adds it to `npm test` instead of running the suites twice).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';
import type { SecurityFigures } from './support/meta.js';
import './support/meta.js';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '../../bench/results/security.json');

interface SuiteReport {
  readonly file: string;
  readonly tests: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly durationMs: number;
  readonly figures: readonly SecurityFigures[];
}

function suiteOf(module: TestModule): SuiteReport {
  const tests = [...module.children.allTests()];
  const states = tests.map((t) => t.result().state);
  const figures = tests.flatMap((t) => {
    const f = t.meta().security;
    return f ? [f] : [];
  });
  return {
    file: module.relativeModuleId,
    tests: tests.length,
    passed: states.filter((s) => s === 'passed').length,
    failed: states.filter((s) => s === 'failed').length,
    skipped: states.filter((s) => s === 'skipped').length,
    durationMs: Math.round(module.diagnostic().duration),
    figures,
  };
}

export default class SecurityReporter implements Reporter {
  #startedAt = Date.now();

  onTestRunStart(): void {
    this.#startedAt = Date.now();
  }

  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
    reason: TestRunEndReason,
  ): void {
    const suites: Record<string, SuiteReport> = {};
    for (const module of modules) {
      if (!module.relativeModuleId.startsWith('test/security/')) continue;
      suites[basename(module.moduleId).replace(/\.test\.ts$/, '')] = suiteOf(module);
    }
    const all = Object.values(suites);
    const runsOf = (suite: string) =>
      all.flatMap((s) => s.figures).find((f) => f.suite === suite)?.runs ?? null;
    const report = {
      command: 'npm run test:security',
      finishedAt: new Date().toISOString(),
      node: process.version,
      passed:
        reason !== 'interrupted' &&
        unhandledErrors.length === 0 &&
        all.length > 0 &&
        all.every((s) => s.failed === 0),
      /** The security files' own time, summed (files may run in parallel). */
      suitesDurationMs: all.reduce((sum, suite) => sum + suite.durationMs, 0),
      /** The whole vitest run's wall time (the other files too when riding along `npm test`). */
      runDurationMs: Date.now() - this.#startedAt,
      counts: {
        tokens: runsOf('tokens'),
        bodies: runsOf('bodies'),
        claimRuns: (runsOf('claims') ?? 0) + (runsOf('claims-e2e') ?? 0),
        faults: suites['faults']?.tests ?? null,
      },
      suites,
    };
    mkdirSync(dirname(OUT), { recursive: true });
    writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
  }
}
