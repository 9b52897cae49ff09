/**
 * What a pipeline run ends in: `Grant | Deny | Failure`, each Deny and Failure with the stage it
 * came from and its code (codes.ts). Stages return a `Step` (`Ok` or a Deny/Failure) and never
 * throw across a stage: a port's throw is caught where the port is called and becomes a value here.
 */
import { type Code, isCode, isFailureCode } from './codes.js';
import { BrokerError, VendError } from './errors.js';
import type { TraceEntry } from './types.js';

/** The pipeline's stages, in order; `audit` is the exit. */
export type Stage = 'verify' | 'load' | 'decide' | 'mint' | 'audit';

export interface BindingRef {
  readonly id: string;
  readonly version: number;
}

export interface Grant<T> {
  readonly kind: 'grant';
  readonly value: T;
}

export interface Deny {
  readonly kind: 'deny';
  readonly stage: Stage;
  readonly code: Code;
  /** Plain words for the audit log and the operator (may name a binding; never answered). */
  readonly detail: string;
  /** The request field at fault, answered on 4xx. */
  readonly field: string | undefined;
  readonly binding: BindingRef | undefined;
  readonly roleArn: string | undefined;
  /** The evaluator's explanation of every binding tried (decide stage), for audit and simulate. */
  readonly trace: readonly TraceEntry[];
  /** Seconds to wait before asking again (a rate limit). */
  readonly retryAfterSeconds?: number;
}

export interface Failure {
  readonly kind: 'failure';
  readonly stage: Stage;
  readonly code: Code;
  /** What was thrown, for the operator's log; never answered, never stored. */
  readonly cause: unknown;
  /** From the port (STS throttling), when it says. */
  readonly retryAfterSeconds: number | undefined;
}

export type Outcome<T> = Grant<T> | Deny | Failure;

export interface Ok<T> {
  readonly kind: 'ok';
  readonly value: T;
}

/** A stage's result: go on with a value, or stop with a Deny or a Failure. */
export type Step<T> = Ok<T> | Deny | Failure;

export function ok<T>(value: T): Ok<T> {
  return { kind: 'ok', value };
}

export function deny(
  stage: Stage,
  code: Code,
  detail: string,
  extra: Partial<Pick<Deny, 'field' | 'binding' | 'roleArn' | 'trace' | 'retryAfterSeconds'>> = {},
): Deny {
  return {
    kind: 'deny',
    stage,
    code,
    detail,
    field: extra.field,
    binding: extra.binding,
    roleArn: extra.roleArn,
    trace: extra.trace ?? [],
    ...(extra.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: extra.retryAfterSeconds }),
  };
}

export function failure(
  stage: Stage,
  code: Code,
  cause: unknown,
  retryAfterSeconds?: number,
): Failure {
  return { kind: 'failure', stage, code, cause, retryAfterSeconds };
}

/**
 * A port's throw as a value: a BrokerError keeps its code (a 5xx code is a Failure, any other a
 * Deny); anything else is the stage's `fallback` Failure (the port is down, or a bug).
 */
export function fromThrow(stage: Stage, err: unknown, fallback: Code): Deny | Failure {
  if (err instanceof BrokerError && isCode(err.code)) {
    if (isFailureCode(err.code)) {
      const retry = err instanceof VendError ? err.retryAfterSeconds : undefined;
      return failure(stage, err.code, err, retry);
    }
    return deny(stage, err.code, `${err.name}: ${err.message}`, { field: err.field });
  }
  return failure(stage, fallback, err);
}

/** Run a port call: its value, or its throw as a Deny/Failure of `stage`. */
export async function attempt<T>(
  stage: Stage,
  fallback: Code,
  call: () => Promise<T>,
): Promise<Step<T>> {
  try {
    return ok(await call());
  } catch (err) {
    return fromThrow(stage, err, fallback);
  }
}
