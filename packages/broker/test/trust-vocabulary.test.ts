import { describe, expect, it } from 'vitest';
import { checkTrustVocabulary, type JsonObject } from '../src/index.js';

const vocabulary = {
  customAttributes: [
    { name: 'custom:team', userWritable: true },
    { name: 'custom:employee_id', userWritable: false },
  ],
};

function trust(statement: Record<string, unknown>): JsonObject {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/x' },
        ...statement,
      },
    ],
  } as JsonObject;
}

describe('checkTrustVocabulary', () => {
  it('refuses a misspelled STS action, suggesting the right one', () => {
    const { errors } = checkTrustVocabulary(
      trust({
        Action: ['sts:TagSession', 'sts:AssumeRoel'],
        Condition: { StringEquals: { 'token:aud': 'a' } },
      }),
      vocabulary,
    );
    expect(errors).toEqual([
      {
        field: '/trustPolicy/Statement/0/Action/1',
        code: 'UnknownTrustAction',
        message: expect.stringContaining('did you mean "sts:AssumeRole"'),
      },
    ]);
  });

  it('accepts every STS action a trust policy governs, in any case, and wildcards', () => {
    const { errors } = checkTrustVocabulary(
      trust({
        Action: [
          'STS:assumerole',
          'sts:AssumeRoleWithWebIdentity',
          'sts:SetSourceIdentity',
          'sts:*',
        ],
        Condition: { StringEquals: { 'token:aud': 'a' } },
      }),
      vocabulary,
    );
    expect(errors).toEqual([]);
  });

  it('warns about a token key no token of the pool carries, with "did you mean"', () => {
    const { errors, warnings, unknownKeys } = checkTrustVocabulary(
      trust({
        Action: 'sts:AssumeRole',
        Condition: {
          'ForAnyValue:StringEquals': { 'token:cognito:grups': ['a'] },
          StringEquals: { 'token:custom:employee_id': '7', 'token:custom:teem': 'x' },
        },
      }),
      vocabulary,
    );
    expect(errors).toEqual([]);
    expect(
      warnings.map((w) => [w.field, w.code, /did you mean "([^"]+)"/.exec(w.message)?.[1]]),
    ).toEqual([
      [
        '/trustPolicy/Statement/0/Condition/ForAnyValue:StringEquals/token:cognito:grups',
        'UnknownClaimKey',
        'token:cognito:groups',
      ],
      [
        '/trustPolicy/Statement/0/Condition/StringEquals/token:custom:teem',
        'UnknownClaimKey',
        'token:custom:team',
      ],
    ]);
    expect([...unknownKeys]).toEqual(['token:cognito:grups', 'token:custom:teem']);
  });

  it('refuses a statement that checks only claims users can write', () => {
    const only = checkTrustVocabulary(
      trust({
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'token:custom:team': 'blue' } },
      }),
      vocabulary,
    );
    expect(only.errors).toEqual([
      expect.objectContaining({
        field: '/trustPolicy/Statement/0',
        code: 'TrustOnlyUserWritableClaims',
      }),
    ]);
    const withGroup = checkTrustVocabulary(
      trust({
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'token:custom:team': 'blue', 'token:custom:employee_id': '7' },
        },
      }),
      vocabulary,
    );
    expect(withGroup.errors).toEqual([]);
  });
});
