/**
 * Errors as data: an internal failure of `evaluate` is reported in `errors` (policy slot,
 * statement, code, message), never hidden in an ordinary denial, and never ends in an Allow; a
 * failure of `validatePolicy` is the finding `InternalError`, never `InvalidJson`. The failures are
 * real: a caller's context whose getter throws, a forged compiled policy, a proxy whose traps throw.
 */
import { describe, expect, it } from 'vitest';
import {
  type ContextValue,
  type EvaluationDiagnostic,
  evaluate,
  type Policy,
  parsePolicy,
  validatePolicy,
} from '../src/index.js';

const request = (context: Record<string, ContextValue> = {}) => ({
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::b/k',
  context,
});

const allowAll = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const onKey = (effect: 'Allow' | 'Deny', key: string) => ({
  ...allowAll,
  Effect: effect,
  Condition: { StringEquals: { [key]: 'x' } },
});
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

/** A context whose key `ex:boom` throws when read (a caller's getter or proxy). */
function throwingContext(): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = { 'ex:ok': 'x' };
  Object.defineProperty(context, 'ex:boom', {
    enumerable: true,
    get() {
      throw new TypeError('context getter failed');
    },
  });
  return context;
}

const failure = (policy: string, statement: number, message: string): EvaluationDiagnostic => ({
  policy,
  statement,
  code: 'StatementFailed',
  message,
});

describe('evaluate: errors as data', () => {
  it('a clean evaluation reports no errors', () => {
    const result = evaluate({ request: request(), identityPolicies: [doc(allowAll)] });
    expect(result).toEqual({
      decision: 'Allow',
      matched: [{ policy: 'identity[0]', statement: 0, effect: 'Allow' }],
      errors: [],
    });
  });

  it.each([false, true])(
    'a statement that throws is reported, the others are still checked, and the decision is never Allow (explain: %s)',
    (explain) => {
      const result = evaluate(
        {
          request: request(throwingContext()),
          identityPolicies: [
            doc(onKey('Allow', 'ex:boom'), allowAll),
            doc(onKey('Deny', 'ex:boom')),
          ],
        },
        { explain },
      );
      expect(result.decision).toBe('ImplicitDeny');
      // The Allow that applied is listed (an ImplicitDeny lists every Allow that applied).
      expect(result.matched).toEqual([{ policy: 'identity[0]', statement: 1, effect: 'Allow' }]);
      expect(result.errors).toEqual([
        failure('identity[0]', 0, 'TypeError: context getter failed'),
        failure('identity[1]', 0, 'TypeError: context getter failed'),
      ]);
      if (explain) expect(result.explain?.map((s) => s.statement)).toEqual([1]);
    },
  );

  it('an explicit Deny that applied still decides when another statement fails', () => {
    const result = evaluate({
      request: request(throwingContext()),
      identityPolicies: [doc(onKey('Allow', 'ex:boom'), onKey('Deny', 'ex:ok'))],
    });
    expect(result.decision).toBe('ExplicitDeny');
    expect(result.matched).toEqual([{ policy: 'identity[0]', statement: 1, effect: 'Deny' }]);
    expect(result.errors).toEqual([failure('identity[0]', 0, 'TypeError: context getter failed')]);
  });

  it('a forged compiled policy (a bug in its statements) is a StatementFailed, not a denial', () => {
    const real = parsePolicy(doc(allowAll));
    const forged: Policy = {
      ...real,
      statements: [{ ...real.statements[0]!, conditions: [null!] }],
    };
    const result = evaluate({
      request: request(),
      identityPolicies: [forged],
    });
    expect(result.decision).toBe('ImplicitDeny');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({
      policy: 'identity[0]',
      statement: 0,
      code: 'StatementFailed',
    });
    expect(result.errors[0]!.message).toMatch(/^TypeError: /);
  });

  it('a policy slot that cannot be read for a reason other than a PolicyError is a PolicyFailed', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new RangeError('trap');
        },
      },
    );
    const result = evaluate({
      request: request(),
      identityPolicies: [doc(allowAll)],
      sessionPolicies: [hostile],
    });
    expect(result).toEqual({
      decision: 'ImplicitDeny',
      matched: [],
      errors: [
        { policy: 'session[0]', statement: -1, code: 'PolicyFailed', message: 'RangeError: trap' },
      ],
    });
  });

  it('an invalid document still throws its PolicyError (the caller fails closed)', () => {
    expect(() => evaluate({ request: request(), identityPolicies: [{ Statement: 'x' }] })).toThrow(
      expect.objectContaining({ name: 'PolicyError', code: 'InvalidStatement' }),
    );
  });

  it('messages are bounded to 300 characters', () => {
    const context: Record<string, ContextValue> = {};
    Object.defineProperty(context, 'ex:boom', {
      enumerable: true,
      get() {
        throw new Error('x'.repeat(10_000));
      },
    });
    const result = evaluate({
      request: request(context),
      identityPolicies: [doc(onKey('Allow', 'ex:boom'))],
    });
    expect(result.errors[0]!.message).toHaveLength(300);
  });
});

describe('validatePolicy: a failure of the validator is not a finding about the document', () => {
  it('reports InternalError with what was thrown, never InvalidJson', () => {
    const options = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new Error('options trap');
        },
      },
    );
    expect(validatePolicy(doc(allowAll), options)).toEqual([
      { severity: 'error', code: 'InternalError', path: '', message: 'Error: options trap' },
    ]);
  });

  it('unreadable JSON is still InvalidJson', () => {
    expect(validatePolicy('{').map((f) => f.code)).toEqual(['InvalidJson']);
  });
});
