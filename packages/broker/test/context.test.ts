import { evaluate } from '@tessera/policy';
import { describe, expect, it } from 'vitest';
import {
  compileBinding,
  type DecisionInput,
  decide as decideRaw,
  federatedPrincipal,
  requestContext,
} from '../src/index.js';
import { binding, flat, NOW, origin, token } from './fixtures.js';

const decide = (i: DecisionInput) => flat(decideRaw(i));

describe('requestContext', () => {
  it('carries every verified claim as token:<claim>, arrays as sets, plus the aws: keys', () => {
    const ctx = requestContext(token({ claims: { nested: { a: 1 } } }), origin, NOW, 1800);
    expect(ctx).toMatchObject({
      'token:sub': 'a1b2c3d4-0000-4000-8000-000000000001',
      'token:cognito:groups': ['uploaders', 'engineers'],
      'token:iat': 1_764_000_000,
      'aws:SourceIp': '203.0.113.7',
      'aws:UserAgent': 'tests/1.0',
      'aws:CurrentTime': '2026-11-24T12:00:00.000Z',
      'aws:EpochTime': Math.floor(NOW.getTime() / 1000),
      'aws:SecureTransport': true,
      'tessera:RequestedDuration': 1800,
    });
    expect(ctx).not.toHaveProperty('token:nested');
  });

  it('names the pool as the federated principal', () => {
    expect(federatedPrincipal('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC')).toEqual(
      {
        type: 'Federated',
        id: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
      },
    );
  });
});

describe('what a grant cannot do', () => {
  it("the rendered session policy allows the caller's own prefix only", () => {
    const d = decide({
      token: token(),
      bindings: [compileBinding(binding())],
      revocations: [],
      role: 'app-upload',
      requestedDuration: undefined,
      unverifiedPolicy: undefined,
      origin,
      now: NOW,
      roleChaining: true,
    });
    if (d.effect !== 'grant') throw new Error('expected a grant');
    const session = d.params.Policy!;
    const may = (action: string, resource: string) =>
      evaluate({ request: { action, resource }, identityPolicies: [session] }).decision;
    const own = 'arn:aws:s3:::media-bucket/uploads/a1b2c3d4-0000-4000-8000-000000000001/photo.jpg';
    expect(may('s3:PutObject', own)).toBe('Allow');
    expect(
      may('s3:PutObject', 'arn:aws:s3:::media-bucket/uploads/someone-else/photo.jpg'),
    ).not.toBe('Allow');
    expect(may('s3:GetObject', own)).not.toBe('Allow');
    expect(
      may(
        's3:PutObject',
        'arn:aws:s3:::other-bucket/uploads/a1b2c3d4-0000-4000-8000-000000000001/x',
      ),
    ).not.toBe('Allow');
  });
});
