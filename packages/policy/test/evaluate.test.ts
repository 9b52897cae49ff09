import { describe, expect, it } from 'vitest';
import { evaluate, PolicyError, parsePolicy, validatePolicy } from '../src/index.js';
import type { RequestPrincipal } from '../src/types.js';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/app/alice`;
const USER = `arn:aws:iam::${ACCOUNT}:user/bob`;
const BUCKET = 'arn:aws:s3:::media';
const OBJECT = `${BUCKET}/uploads/a.jpg`;

const allow = (action: string, resource = '*', extra: object = {}) => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
  ...extra,
});
const deny = (action: string, resource = '*', extra: object = {}) => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
  ...extra,
});
const doc = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const grantTo = (principal: unknown, action = 's3:GetObject') =>
  doc({ Effect: 'Allow', Principal: principal, Action: action, Resource: `${BUCKET}/*` });
const req = (principal?: RequestPrincipal, action = 's3:GetObject', resource = OBJECT) => ({
  action,
  resource,
  principal,
});
const session = { type: 'AWS', id: SESSION } as const;

describe('statement matching', () => {
  it('actions are case-insensitive with wildcards; NotAction is everything else', () => {
    const p = parsePolicy(doc(allow('S3:get*')));
    expect(
      evaluate({ request: req(undefined, 's3:GetObject'), identityPolicies: [p] }).decision,
    ).toBe('Allow');
    expect(
      evaluate({ request: req(undefined, 's3:PutObject'), identityPolicies: [p] }).decision,
    ).toBe('ImplicitDeny');
    const all = parsePolicy(doc(allow('*')));
    expect(
      evaluate({ request: req(undefined, 'iam:CreateUser'), identityPolicies: [all] }).decision,
    ).toBe('Allow');
    const notAction = parsePolicy(doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }));
    expect(
      evaluate({ request: req(undefined, 's3:GetObject'), identityPolicies: [notAction] }).decision,
    ).toBe('Allow');
    expect(
      evaluate({ request: req(undefined, 'IAM:CreateUser'), identityPolicies: [notAction] })
        .decision,
    ).toBe('ImplicitDeny');
  });

  it('resources are case-sensitive; NotResource is everything else', () => {
    const p = parsePolicy(doc(allow('s3:*', `${BUCKET}/uploads/*`)));
    expect(evaluate({ request: req(), identityPolicies: [p] }).decision).toBe('Allow');
    expect(
      evaluate({
        request: req(undefined, 's3:GetObject', `${BUCKET}/Uploads/a`),
        identityPolicies: [p],
      }).decision,
    ).toBe('ImplicitDeny');
    const notRes = parsePolicy(
      doc({ Effect: 'Deny', Action: 's3:*', NotResource: `${BUCKET}/public/*` }),
    );
    const r = evaluate({
      request: req(),
      identityPolicies: [parsePolicy(doc(allow('s3:*'))), notRes],
    });
    expect(r.decision).toBe('ExplicitDeny');
    expect(r.matched).toEqual([{ policy: 'identity[1]', statement: 0, effect: 'Deny' }]);
  });
});

describe('combining rule', () => {
  it('no policies at all → ImplicitDeny', () => {
    expect(evaluate({ request: req() })).toEqual({
      decision: 'ImplicitDeny',
      matched: [],
      errors: [],
    });
  });

  it('row 1: an explicit Deny in any policy wins, and matched lists the Denies', () => {
    const r = evaluate({
      request: req(session),
      identityPolicies: [doc(allow('s3:*'), { ...deny('s3:GetObject'), Sid: 'NoGet' })],
      resourcePolicy: grantTo('*'),
    });
    expect(r.decision).toBe('ExplicitDeny');
    expect(r.matched).toEqual([
      { policy: 'identity[0]', statement: 1, sid: 'NoGet', effect: 'Deny' },
    ]);
    const viaBoundary = evaluate({
      request: req(),
      identityPolicies: [doc(allow('s3:*'))],
      permissionsBoundary: doc(allow('*'), deny('s3:Get*')),
    });
    expect(viaBoundary.decision).toBe('ExplicitDeny');
    const viaSession = evaluate({
      request: req(),
      identityPolicies: [doc(allow('s3:*'))],
      sessionPolicies: [doc(deny('*'))],
    });
    expect(viaSession.decision).toBe('ExplicitDeny');
    const viaResource = evaluate({
      request: req(session),
      identityPolicies: [doc(allow('s3:*'))],
      resourcePolicy: doc({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: `${BUCKET}/*`,
      }),
    });
    expect(viaResource.decision).toBe('ExplicitDeny');
  });

  it('row 4: identity ∩ boundary ∩ session', () => {
    const identity = [doc(allow('s3:*'))];
    expect(evaluate({ request: req(), identityPolicies: identity }).decision).toBe('Allow');
    expect(
      evaluate({
        request: req(),
        identityPolicies: identity,
        permissionsBoundary: doc(allow('s3:Get*')),
      }).decision,
    ).toBe('Allow');
    const outside = evaluate({
      request: req(),
      identityPolicies: identity,
      permissionsBoundary: doc(allow('ec2:*')),
    });
    expect(outside.decision).toBe('ImplicitDeny');
    expect(outside.matched).toEqual([{ policy: 'identity[0]', statement: 0, effect: 'Allow' }]);
    expect(
      evaluate({
        request: req(),
        identityPolicies: identity,
        sessionPolicies: [doc(allow('ec2:*')), doc(allow('s3:GetObject'))],
      }).decision,
    ).toBe('Allow');
    expect(
      evaluate({
        request: req(),
        identityPolicies: identity,
        sessionPolicies: [doc(allow('ec2:*'))],
      }).decision,
    ).toBe('ImplicitDeny');
    // A boundary or session policy never grants on its own.
    expect(
      evaluate({
        request: req(),
        permissionsBoundary: doc(allow('*')),
        sessionPolicies: [doc(allow('*'))],
      }).decision,
    ).toBe('ImplicitDeny');
  });

  it('row 4: matched lists the Allows of identity, boundary and session, in policy order', () => {
    const r = evaluate({
      request: req(),
      identityPolicies: [doc(allow('ec2:*')), doc(allow('s3:*'), allow('s3:Get*'))],
      permissionsBoundary: doc(allow('*')),
      sessionPolicies: [doc(allow('s3:GetObject'))],
    });
    expect(r.decision).toBe('Allow');
    expect(r.matched.map((m) => `${m.policy}#${m.statement}`)).toEqual([
      'identity[1]#0',
      'identity[1]#1',
      'boundary#0',
      'session[0]#0',
    ]);
  });

  it('row 5: same account, a resource policy naming the user or session ARN grants on its own', () => {
    const user = { type: 'AWS', id: USER } as const;
    const byUser = evaluate({ request: req(user), resourcePolicy: grantTo({ AWS: USER }) });
    expect(byUser).toEqual({
      decision: 'Allow',
      matched: [{ policy: 'resource', statement: 0, effect: 'Allow' }],
      errors: [],
    });
    // …not limited by an implicit deny in the boundary or session policy.
    expect(
      evaluate({
        request: req(user),
        permissionsBoundary: doc(allow('ec2:*')),
        resourcePolicy: grantTo({ AWS: USER }),
      }).decision,
    ).toBe('Allow');
    expect(
      evaluate({
        request: req(session),
        identityPolicies: [doc(allow('ec2:*'))],
        permissionsBoundary: doc(allow('ec2:*')),
        sessionPolicies: [doc(allow('ec2:*'))],
        resourcePolicy: grantTo({ AWS: SESSION }),
      }).decision,
    ).toBe('Allow');
    // …but an explicit Deny still wins.
    expect(
      evaluate({
        request: req(session),
        sessionPolicies: [doc(deny('s3:*'))],
        resourcePolicy: grantTo({ AWS: SESSION }),
      }).decision,
    ).toBe('ExplicitDeny');
    expect(evaluate({ request: req(session), resourcePolicy: grantTo('*') }).decision).toBe(
      'Allow',
    );
  });

  it('row 6: a resource policy naming the role ARN is limited by the boundary and session policies', () => {
    const resourcePolicy = grantTo({ AWS: ROLE });
    expect(evaluate({ request: req(session), resourcePolicy }).decision).toBe('Allow');
    expect(
      evaluate({ request: req(session), sessionPolicies: [doc(allow('ec2:*'))], resourcePolicy })
        .decision,
    ).toBe('ImplicitDeny');
    expect(
      evaluate({ request: req(session), permissionsBoundary: doc(allow('ec2:*')), resourcePolicy })
        .decision,
    ).toBe('ImplicitDeny');
    const ok = evaluate({
      request: req(session),
      sessionPolicies: [doc(allow('s3:*'))],
      resourcePolicy,
    });
    expect(ok.decision).toBe('Allow');
    expect(ok.matched.map((m) => m.policy)).toEqual(['session[0]', 'resource']);
  });

  it('row 6: a same-account grant to "*" is limited like one to the role ARN (fail-closed reading)', () => {
    for (const principal of ['*', { AWS: '*' }]) {
      const resourcePolicy = grantTo(principal);
      // Alone (no boundary, no session policy): the limits hold trivially.
      expect(evaluate({ request: req(session), resourcePolicy }).decision).toBe('Allow');
      expect(evaluate({ request: req({ type: 'AWS', id: USER }), resourcePolicy }).decision).toBe(
        'Allow',
      );
      // An implicit deny in a session policy or a boundary limits it, for a session or a user.
      for (const who of [session, { type: 'AWS', id: USER } as const]) {
        expect(
          evaluate({ request: req(who), sessionPolicies: [doc(allow('ec2:*'))], resourcePolicy })
            .decision,
        ).toBe('ImplicitDeny');
        expect(
          evaluate({ request: req(who), permissionsBoundary: doc(allow('ec2:*')), resourcePolicy })
            .decision,
        ).toBe('ImplicitDeny');
      }
      const ok = evaluate({
        request: req(session),
        permissionsBoundary: doc(allow('s3:*')),
        sessionPolicies: [doc(allow('s3:GetObject'))],
        resourcePolicy,
      });
      expect(ok).toEqual({
        decision: 'Allow',
        matched: [
          { policy: 'boundary', statement: 0, effect: 'Allow' },
          { policy: 'session[0]', statement: 0, effect: 'Allow' },
          { policy: 'resource', statement: 0, effect: 'Allow' },
        ],
        errors: [],
      });
    }
    // Naming the session ARN as well keeps the documented exemption.
    expect(
      evaluate({
        request: req(session),
        sessionPolicies: [doc(allow('ec2:*'))],
        resourcePolicy: doc(
          { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET}/*` },
          { Effect: 'Allow', Principal: { AWS: SESSION }, Action: 's3:*', Resource: `${BUCKET}/*` },
        ),
      }).decision,
    ).toBe('Allow');
  });

  it('row 7: an account principal in the same account delegates: identity policies must allow', () => {
    const resourcePolicy = grantTo({ AWS: ACCOUNT });
    expect(evaluate({ request: req(session), resourcePolicy }).decision).toBe('ImplicitDeny');
    expect(
      evaluate({ request: req(session), identityPolicies: [doc(allow('s3:*'))], resourcePolicy })
        .decision,
    ).toBe('Allow');
  });

  it('rows 2 and 3: cross-account needs both the identity side and the resource policy', () => {
    const other = { type: 'AWS', id: 'arn:aws:sts::444455556666:assumed-role/app/alice' } as const;
    const identity = [doc(allow('s3:GetObject'))];
    const resourcePolicy = grantTo({ AWS: '444455556666' });
    expect(
      evaluate({
        request: req(other),
        identityPolicies: identity,
        resourcePolicy,
        crossAccount: true,
      }).decision,
    ).toBe('Allow');
    expect(evaluate({ request: req(other), resourcePolicy, crossAccount: true }).decision).toBe(
      'ImplicitDeny',
    );
    expect(
      evaluate({ request: req(other), identityPolicies: identity, crossAccount: true }).decision,
    ).toBe('ImplicitDeny');
    expect(
      evaluate({
        request: req(other),
        identityPolicies: identity,
        resourcePolicy: grantTo({ AWS: SESSION }),
        crossAccount: true,
      }).decision,
    ).toBe('ImplicitDeny');
    expect(
      evaluate({
        request: req(other),
        identityPolicies: identity,
        permissionsBoundary: doc(allow('ec2:*')),
        resourcePolicy,
        crossAccount: true,
      }).decision,
    ).toBe('ImplicitDeny');
  });
});

describe('role trust policies', () => {
  const trust = doc({
    Effect: 'Allow',
    Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
    Principal: { Federated: 'cognito-identity.amazonaws.com' },
    Condition: {
      StringEquals: { 'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool' },
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
    },
  });
  const federated = { type: 'Federated', id: 'cognito-identity.amazonaws.com' } as const;
  const assume = (
    context: Record<string, string | string[]>,
    principal: RequestPrincipal = federated,
  ) =>
    evaluate({
      request: { action: 'sts:AssumeRoleWithWebIdentity', resource: ROLE, principal, context },
      resourcePolicy: trust,
    });

  it('the trust policy alone decides a federated assume', () => {
    const ok = assume({
      'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool',
      'cognito-identity.amazonaws.com:amr': ['authenticated', 'x'],
    });
    expect(ok).toEqual({
      decision: 'Allow',
      matched: [{ policy: 'resource', statement: 0, effect: 'Allow' }],
      errors: [],
    });
    expect(
      assume({
        'cognito-identity.amazonaws.com:aud': 'other',
        'cognito-identity.amazonaws.com:amr': ['authenticated'],
      }).decision,
    ).toBe('ImplicitDeny');
    expect(assume({ 'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool' }).decision).toBe(
      'ImplicitDeny',
    );
    expect(
      assume(
        {
          'cognito-identity.amazonaws.com:aud': 'eu-west-1:pool',
          'cognito-identity.amazonaws.com:amr': ['authenticated'],
        },
        {
          type: 'Federated',
          id: 'accounts.google.com',
        },
      ).decision,
    ).toBe('ImplicitDeny');
  });

  it('a resource policy without Principal is refused (IAM refuses it): MissingPrincipal', () => {
    const run = () => evaluate({ request: req(session), resourcePolicy: doc(allow('s3:*')) });
    expect(run).toThrow(PolicyError);
    expect(run).toThrow(
      expect.objectContaining({ code: 'MissingPrincipal', path: '/Statement/0' }),
    );
  });
});

describe('NotPrincipal in a resource policy', () => {
  const policy = doc(
    { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `${BUCKET}/*` },
    {
      Effect: 'Deny',
      NotPrincipal: { AWS: [ROLE, ACCOUNT] },
      Action: 's3:*',
      Resource: `${BUCKET}/*`,
    },
  );
  it('denies everyone but the listed principals', () => {
    expect(evaluate({ request: req(session), resourcePolicy: policy }).decision).toBe('Allow');
    expect(
      evaluate({ request: req({ type: 'AWS', id: USER }), resourcePolicy: policy }).decision,
    ).toBe('ExplicitDeny');
  });
  it('always denies a principal with a permissions boundary', () => {
    expect(
      evaluate({
        request: req(session),
        permissionsBoundary: doc(allow('*')),
        resourcePolicy: policy,
      }).decision,
    ).toBe('ExplicitDeny');
  });
});

describe('inputs', () => {
  it('accepts compiled policies, JSON text and objects alike', () => {
    const text = JSON.stringify(doc(allow('s3:*')));
    for (const p of [parsePolicy(text), text, JSON.parse(text) as object]) {
      expect(evaluate({ request: req(), identityPolicies: [p] }).decision).toBe('Allow');
    }
    expect(evaluate({ request: req(), identityPolicies: [text] }).decision).toBe('Allow'); // cached text
  });

  it('throws PolicyError for an invalid policy', () => {
    let caught: unknown;
    try {
      evaluate({ request: req(), identityPolicies: ['{ not json'] });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as PolicyError).code).toBe('InvalidJson');
    expect(() =>
      evaluate({
        request: req(),
        identityPolicies: [
          { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] },
        ],
      }),
    ).toThrow(PolicyError);
  });

  it('refuses a policy IAM would refuse in its slot (fail closed), raw, text or compiled', () => {
    const noResource = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*' }] };
    const withPrincipal = doc(allow('s3:*'), { ...allow('s3:*'), Principal: { AWS: ROLE } });
    const withNotPrincipal = doc({ ...deny('s3:*'), NotPrincipal: { AWS: ROLE } });
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (err) {
        expect(err).toBeInstanceOf(PolicyError);
        return { code: (err as PolicyError).code, path: (err as PolicyError).path };
      }
      return undefined;
    };
    const forms = (d: object) => [d, JSON.stringify(d), parsePolicy(d)];
    for (const p of forms(noResource)) {
      const missing = { code: 'MissingResource', path: '/Statement/0' };
      expect(code(() => evaluate({ request: req(), identityPolicies: [p] }))).toEqual(missing);
      expect(code(() => evaluate({ request: req(), permissionsBoundary: p }))).toEqual(missing);
      expect(code(() => evaluate({ request: req(), sessionPolicies: [p] }))).toEqual(missing);
    }
    for (const p of forms(withPrincipal)) {
      expect(code(() => evaluate({ request: req(session), identityPolicies: [p] }))).toEqual({
        code: 'PrincipalNotAllowed',
        path: '/Statement/1/Principal',
      });
    }
    expect(code(() => evaluate({ request: req(), sessionPolicies: [withNotPrincipal] }))).toEqual({
      code: 'PrincipalNotAllowed',
      path: '/Statement/0/NotPrincipal',
    });
    // A resource policy needs a principal; a trust policy (no Resource) is fine in that slot.
    for (const p of forms(doc(allow('s3:*'), grantTo('*').Statement[0]!))) {
      expect(code(() => evaluate({ request: req(session), resourcePolicy: p }))).toEqual({
        code: 'MissingPrincipal',
        path: '/Statement/0',
      });
    }
    const trust = doc({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sts:AssumeRole' });
    expect(
      evaluate({ request: req(session, 'sts:AssumeRole', ROLE), resourcePolicy: trust }).decision,
    ).toBe('Allow');
    // Same code and path as validatePolicy with the slot's kind.
    for (const [d, kind] of [
      [noResource, 'identity'],
      [withPrincipal, 'session'],
      [withNotPrincipal, 'boundary'],
    ] as const) {
      const first = validatePolicy(d, { kind }).find((f) => f.severity === 'error');
      expect(code(() => evaluate({ request: req(), identityPolicies: [d] }))).toEqual({
        code: first?.code,
        path: first?.path,
      });
    }
  });

  it('never throws on odd context values', () => {
    const p = parsePolicy(
      doc(
        allow('s3:*', '*', {
          Condition: {
            NumericLessThan: { 'ex:n': '5' },
            DateLessThan: { 'ex:d': '2030-01-01' },
            IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
            BinaryEquals: { 'ex:b': 'AAAA' },
          },
        }),
      ),
    );
    const context = {
      'ex:n': 'five',
      'ex:d': 'soon',
      'aws:SourceIp': '10.0.0',
      'ex:b': '***',
      __proto__: 'x',
      constructor: 'y',
    };
    expect(evaluate({ request: { ...req(), context }, identityPolicies: [p] }).decision).toBe(
      'ImplicitDeny',
    );
    expect(
      evaluate({ request: { ...req(), context }, identityPolicies: [p] }, { explain: true })
        .decision,
    ).toBe('ImplicitDeny');
  });
});
