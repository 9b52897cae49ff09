import {
  answerFor,
  BindingError,
  CODES,
  type Code,
  StoreError,
  TokenError,
  VendError,
} from '@tessera/broker';
import { describe, expect, it } from 'vitest';
import { AdminRequiredError, ConfigError, HttpInputError, OutcomeError } from '../src/errors.js';
import { problemFor } from '../src/problem.js';

/** An error carrying a code, as a port or the HTTP layer throws it. */
class Coded extends Error {
  constructor(
    readonly code: string,
    readonly field?: string,
  ) {
    super(`secret internals of ${code}`);
  }
}

describe('problemFor reads the code table', () => {
  it('answers every code of the table as the table says, to callers and admins', () => {
    for (const code of Object.keys(CODES) as Code[]) {
      if (code === 'Granted') continue;
      for (const audience of ['caller', 'admin'] as const) {
        const { problem, headers } = problemFor(new Coded(code, '/x'), audience);
        const answer = answerFor(code, audience);
        expect([problem.status, problem.code, problem.detail]).toEqual([
          answer.status,
          answer.code,
          answer.message,
        ]);
        expect(JSON.stringify(problem)).not.toContain('secret internals');
        expect(headers['Retry-After'] !== undefined).toBe(
          answer.status === 503 || answer.status === 429,
        );
        expect(headers['WWW-Authenticate'] !== undefined).toBe(answer.status === 401);
      }
    }
  });

  it('classifies by code, never by message text', () => {
    const malformed = Object.assign(new Error('Invalid or malformed JSON was provided'), {
      statusCode: 415,
    });
    expect(problemFor(malformed).problem).toMatchObject({ status: 500, code: 'InternalError' });
    expect(problemFor(new Coded('ECONNREFUSED')).problem.code).toBe('InternalError');
    expect(problemFor(new Coded('Granted')).problem.code).toBe('InternalError');
    expect(problemFor('a string').problem.code).toBe('InternalError');
    expect(problemFor(new HttpInputError('InvalidJson', 'x', '')).problem).toMatchObject({
      status: 400,
      code: 'InvalidJson',
      field: '',
    });
  });

  it('answers the errors of every package from the one table', () => {
    const cases: [unknown, number, string][] = [
      [new TokenError('TokenExpired', 'exp'), 401, 'TokenExpired'],
      [new StoreError('StoreUnavailable', 'down'), 503, 'ServiceUnavailable'],
      [new VendError('StsThrottled', 'slow', { retryAfterSeconds: 7 }), 503, 'ServiceUnavailable'],
      [new BindingError('BindingNotFound', 'gone'), 403, 'RoleNotPermitted'],
      [new AdminRequiredError(), 403, 'AdminRequired'],
      [
        new ConfigError([
          { code: 'Required', pointer: '/AWS_REGION', message: 'AWS_REGION is required' },
        ]),
        503,
        'ServiceUnavailable',
      ],
      [
        new OutcomeError({
          kind: 'deny',
          stage: 'decide',
          code: 'TrustDenied',
          detail: 'no trust policy of ops allows',
          field: undefined,
          binding: { id: 'ops', version: 1 },
          roleArn: undefined,
          trace: [],
        }),
        403,
        'RoleNotPermitted',
      ],
    ];
    for (const [err, status, code] of cases) {
      expect(problemFor(err).problem).toMatchObject({ status, code });
    }
    expect(
      problemFor(new VendError('StsThrottled', 'slow', { retryAfterSeconds: 7 })).headers,
    ).toMatchObject({ 'Retry-After': '7' });
    const config = new ConfigError([{ code: 'ConfigInvalid', pointer: '', message: 'x' }]);
    expect(problemFor(config).headers).toMatchObject({ 'Retry-After': '30' });
    expect(problemFor(new BindingError('BindingNotFound', 'gone'), 'admin').problem).toMatchObject({
      status: 404,
      code: 'BindingNotFound',
    });
  });
});
