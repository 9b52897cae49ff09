/**
 * What a security test records about its own run, read by the reporter that writes
 * `bench/results/security.json` (test/security/reporter.ts): the figures come from the run itself.
 */
export interface SecurityFigures {
  /** The suite the figures belong to (`tokens`, `claims`, `claims-e2e`, `faults`, ...). */
  readonly suite: string;
  /** Cases or generated runs actually executed. */
  readonly runs: number;
  readonly granted?: number;
  readonly refused?: number;
}

declare module 'vitest' {
  interface TaskMeta {
    security?: SecurityFigures;
  }
}
