import { describe, expect, it } from 'vitest';
import { BindingError, parseBinding } from '../src/index.js';
import { binding, trustFor } from './fixtures.js';

function issuesOf(raw: unknown) {
  try {
    parseBinding(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(BindingError);
    expect((err as BindingError).code).toBe('BindingInvalid');
    return (err as BindingError).issues.map((i) => [i.field, i.code]);
  }
  throw new Error('expected BindingInvalid');
}

describe('parseBinding', () => {
  it('accepts the design example without a sourceIdentity (the decision stamps a default)', () => {
    const { sourceIdentity: _, ...raw } = binding();
    const parsed = parseBinding(raw);
    expect(parsed.binding.sourceIdentity).toBeUndefined();
    expect(parsed.warnings).toEqual([]);
  });

  it('lists every problem with its field path and code', () => {
    const issues = issuesOf({
      ...binding(),
      id: 'Bad_ID',
      roleArn: 'arn:aws:s3:::bucket',
      durationSeconds: { default: 600, max: 50_000 },
      sessionTags: { 'aws:bad': 'x' },
      extra: 1,
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        ['/extra', 'UnknownField'],
        ['/id', 'InvalidFormat'],
        ['/roleArn', 'InvalidFormat'],
        ['/durationSeconds/default', 'OutOfRange'],
        ['/durationSeconds/max', 'OutOfRange'],
        ['/sessionTags/aws:bad', 'InvalidTagKey'],
      ]),
    );
  });

  it('requires externalId explicitly (null for none)', () => {
    const { externalId: _, ...raw } = binding();
    expect(issuesOf(raw)).toContainEqual(['/externalId', 'Required']);
  });

  it('rejects a trust policy with errors, naming the path', () => {
    const issues = issuesOf({
      ...binding(),
      trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' }] },
    });
    expect(issues.some(([field]) => String(field).startsWith('/trustPolicy/'))).toBe(true);
  });

  it('rejects placeholders in policy keys', () => {
    const sessionPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { StringEquals: { '${token:sub}': 'x' } },
        },
      ],
    };
    expect(issuesOf({ ...binding(), sessionPolicy })).toContainEqual([
      '/sessionPolicy/Statement/0/Condition/StringEquals/${token:sub}',
      'PlaceholderInKey',
    ]);
  });

  it('warns when the only conditions are on user-writable custom: claims', () => {
    const trustPolicy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' },
          Condition: { StringEquals: { 'token:custom:team': 'blue' } },
        },
      ],
    };
    expect(parseBinding({ ...binding(), trustPolicy }).warnings).toMatchObject([
      { code: 'TrustOnlyUserWritableClaims', field: '/trustPolicy/Statement/0' },
    ]);
  });

  it('does not warn when a verified group is also checked', () => {
    expect(
      parseBinding({
        ...binding(),
        trustPolicy: trustFor(['a'], { StringLike: { 'token:custom:team': 'b*' } }),
      }).warnings,
    ).toEqual([]);
  });
});
