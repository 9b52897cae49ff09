/**
 * The local stack's own errors. Protocol errors (STS/IAM Query errors, cognito-idp JSON errors,
 * OAuth2 errors) are answers, not exceptions of this tree: each server module owns its shapes.
 */
import type { LocalConfigProblem } from './config-schema.js';

export type LocalErrorCode =
  | 'InvalidConfig'
  | 'InvalidState'
  | 'PortInUse'
  | 'StartFailed'
  | 'SeedFailed';

export class LocalStackError extends Error {
  override readonly name: string = 'LocalStackError';
  readonly code: LocalErrorCode;

  constructor(code: LocalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The config file failed validation: every problem is listed, none is silently defaulted. */
export class LocalConfigError extends LocalStackError {
  override readonly name = 'LocalConfigError';
  /** Every problem, each with the JSON Pointer of what is wrong in the file. */
  readonly problems: readonly LocalConfigProblem[];

  constructor(source: string, problems: readonly LocalConfigProblem[]) {
    super(
      'InvalidConfig',
      `${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
        .map((p) => `  - ${p.pointer || '/'}: ${p.message} (${p.code})`)
        .join('\n')}`,
    );
    this.problems = problems;
  }
}
