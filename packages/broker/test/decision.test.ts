import { describe, expect, it } from 'vitest';
import {
  answerFor,
  type Binding,
  compileBinding,
  type DecisionInput,
  decide as decideRaw,
} from '../src/index.js';
import { binding, flat, NOW, origin, token, trustFor } from './fixtures.js';

const decide = (i: DecisionInput) => flat(decideRaw(i));

function input(bindings: Binding[], overrides: Partial<DecisionInput> = {}): DecisionInput {
  return {
    token: token(),
    bindings: bindings.map(compileBinding),
    revocations: [],
    role: 'app-upload',
    requestedDuration: undefined,
    unverifiedPolicy: undefined,
    origin,
    now: NOW,
    roleChaining: true,
    ...overrides,
  };
}

describe('decide: grants', () => {
  it('grants the exact AssumeRole parameters', () => {
    const d = decide(input([binding()]));
    expect(d.effect).toBe('grant');
    if (d.effect !== 'grant') return;
    expect(d.params).toEqual({
      RoleArn: 'arn:aws:iam::111122223333:role/app-upload',
      RoleSessionName: expect.stringMatching(/^alice-[0-9a-f]{10}$/),
      DurationSeconds: 900,
      Policy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::media-bucket/uploads/a1b2c3d4-0000-4000-8000-000000000001/*"}]}',
      Tags: [{ Key: 'team', Value: 'blue' }],
      TransitiveTagKeys: [],
      SourceIdentity: 'alice',
      ExternalId: undefined,
    });
    expect(d.sessionPolicySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(d.trace[0]).toMatchObject({ bindingId: 'app-upload', decision: 'Allow' });
  });

  it('finds the binding by role ARN too', () => {
    const d = decide(input([binding()], { role: 'arn:aws:iam::111122223333:role/app-upload' }));
    expect(d.effect).toBe('grant');
  });

  it('for a role ARN, uses the first binding (by id) whose trust allows', () => {
    const d = decide(
      input(
        [
          binding({ id: 'a-admins', trustPolicy: trustFor(['admins']), sessionPolicy: null }),
          binding({ id: 'b-uploaders' }),
          binding({ id: 'c-engineers', trustPolicy: trustFor(['engineers']), sessionPolicy: null }),
        ],
        { role: 'arn:aws:iam::111122223333:role/app-upload' },
      ),
    );
    expect(d).toMatchObject({ effect: 'grant', binding: { id: 'b-uploaders' } });
    expect(d.trace.map((t) => [t.bindingId, t.decision])).toEqual([
      ['a-admins', 'ImplicitDeny'],
      ['b-uploaders', 'Allow'],
    ]);
  });

  it('clamps to the role-chaining cap and says so', () => {
    const d = decide(
      input(
        [binding({ durationSeconds: { default: 900, max: 43200 }, roleMaxSessionDuration: 43200 })],
        {
          requestedDuration: 7200,
        },
      ),
    );
    expect(d).toMatchObject({
      effect: 'grant',
      duration: { seconds: 3600, clampedBy: 'role-chaining' },
    });
  });

  it('passes ExternalId from the binding', () => {
    const d = decide(input([binding({ externalId: 'ext-123' })]));
    expect(d.effect === 'grant' && d.params.ExternalId).toBe('ext-123');
  });

  it('sends the caller policy as the inline policy when the binding has none', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };
    const d = decide(input([binding({ sessionPolicy: null })], { unverifiedPolicy: policy }));
    expect(d.effect === 'grant' && d.params.Policy).toBe(JSON.stringify(policy));
  });
});

describe('decide: denies', () => {
  it('an unknown role and a role the caller may not use give the same public error', () => {
    const unknown = decide(input([binding()], { role: 'nope' }));
    const notYours = decide(input([binding({ trustPolicy: trustFor(['admins']) })]));
    expect(unknown).toMatchObject({ effect: 'deny', reason: 'BindingNotFound' });
    expect(notYours).toMatchObject({ effect: 'deny', reason: 'TrustDenied' });
    if (unknown.effect !== 'deny' || notYours.effect !== 'deny') return;
    const a = answerFor(unknown.reason, 'caller');
    const b = answerFor(notYours.reason, 'caller');
    expect(a).toEqual(b);
    expect(a).toMatchObject({ code: 'RoleNotPermitted', status: 403 });
  });

  it('a disabled binding grants nothing', () => {
    expect(decide(input([binding({ enabled: false })]))).toMatchObject({
      effect: 'deny',
      reason: 'BindingDisabled',
    });
  });

  it("another pool's principal does not match", () => {
    const other = trustFor(['uploaders']);
    (other.Statement[0]!.Principal as { Federated: string }).Federated =
      'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other';
    expect(decide(input([binding({ trustPolicy: other })]))).toMatchObject({
      effect: 'deny',
      reason: 'TrustDenied',
    });
  });

  it('refuses an unsafe claim rendered into the session policy', () => {
    const d = decide(input([binding()], { token: token({ claims: { sub: '*' } }) }));
    expect(d).toMatchObject({ effect: 'deny', reason: 'ClaimUnsafe' });
    if (d.effect === 'deny') expect(answerFor(d.reason, 'caller').code).toBe('ClaimUnsafe');
  });

  it('refuses a missing tag claim', () => {
    const t = token();
    const claims = { ...t.claims };
    delete (claims as Record<string, unknown>)['custom:team'];
    expect(decide(input([binding()], { token: { ...t, claims } }))).toMatchObject({
      effect: 'deny',
      reason: 'ClaimMissing',
    });
  });

  it('refuses a caller policy when the binding has its own (ScopeDownConflict on field policy)', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    };
    expect(decide(input([binding()], { unverifiedPolicy: policy }))).toMatchObject({
      effect: 'deny',
      reason: 'ScopeDownConflict',
      field: '/policy',
    });
  });

  it('refuses a caller policy that is not a session policy', () => {
    expect(
      decide(input([binding({ sessionPolicy: null })], { unverifiedPolicy: 'nope' })),
    ).toMatchObject({
      effect: 'deny',
      reason: 'ScopeDownInvalid',
      field: '/policy',
    });
    expect(
      decide(
        input([binding({ sessionPolicy: null })], {
          unverifiedPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe' }] },
        }),
      ),
    ).toMatchObject({ effect: 'deny', reason: 'ScopeDownInvalid' });
  });

  it('refuses a caller policy with a character STS refuses in a session policy, naming the field', () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/\u4e00/*' }],
    };
    expect(
      decide(input([binding({ sessionPolicy: null })], { unverifiedPolicy: policy })),
    ).toMatchObject({ effect: 'deny', reason: 'ScopeDownInvalid', field: '/policy' });
  });

  it('refuses a packed session policy over 2048 characters', () => {
    const big = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: Array.from({ length: 80 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`),
        },
      ],
    };
    expect(
      decide(input([binding({ sessionPolicy: null })], { unverifiedPolicy: big })),
    ).toMatchObject({
      effect: 'deny',
      reason: 'SessionPolicyTooLarge',
      field: '/policy',
    });
  });

  it('refuses a tag value STS would refuse', () => {
    const d = decide(
      input([binding({ sessionTags: { team: '${token:custom:team}' } })], {
        token: token({ claims: { 'custom:team': 'a#b' } }),
      }),
    );
    expect(d).toMatchObject({ effect: 'deny', reason: 'TagInvalid' });
  });

  it('refuses a SourceIdentity STS would refuse', () => {
    const d = decide(
      input([binding()], { token: token({ claims: { 'cognito:username': 'al ice' } }) }),
    );
    expect(d).toMatchObject({ effect: 'deny', reason: 'SourceIdentityInvalid' });
  });
});
