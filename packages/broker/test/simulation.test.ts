import { describe, expect, it } from 'vitest';
import { BindingCompiler } from '../src/binding.js';
import {
  type Decision,
  decide,
  type Outcome,
  parseChecks,
  permissionSnapshot,
  type Simulation,
  simulatedDecision,
  simulationAnswer,
} from '../src/index.js';
import { binding, NOW, origin, token, trustFor } from './fixtures.js';

const ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::media-bucket/uploads/*' },
  ],
};
const compiler = new BindingCompiler();

/** The pipeline's simulate outcome for a decision, as the broker answers it. */
function simulated(d: Decision) {
  const outcome: Outcome<Simulation> =
    d.kind === 'ok' ? { kind: 'grant', value: { decided: d.value, subject: 'tests' } } : d;
  const decision = simulatedDecision(outcome);
  if (decision === undefined) throw new Error('not a decide-stage outcome');
  return decision;
}

function decision(groups: string[], explain: 'keys' | 'full' = 'keys') {
  const b = binding({
    explain,
    permissionPolicies: permissionSnapshot([
      { kind: 'inline', name: 'put-uploads', document: ROLE_POLICY },
    ]),
  });
  const d = decide({
    token: token({ claims: { 'cognito:groups': groups } }),
    bindings: [compiler.compile(b)],
    revocations: [],
    role: 'app-upload',
    requestedDuration: undefined,
    unverifiedPolicy: undefined,
    origin,
    now: NOW,
    roleChaining: true,
  });
  return { d, b };
}

describe('simulationAnswer', () => {
  it('tells a refused caller the failing key and operator, not the expected values', () => {
    const { d, b } = decision(['engineers']);
    const answer = simulationAnswer({
      decision: simulated(d),
      binding: b,
      audience: 'self',
      checks: [],
    });
    expect(answer).toEqual({
      decision: 'deny',
      bindingId: 'app-upload',
      roleArn: b.roleArn,
      reasons: [
        {
          code: 'ConditionNotMet',
          bindingId: 'app-upload',
          policy: 'trust',
          statement: 0,
          element: 'Condition',
          key: 'token:cognito:groups',
          operator: 'ForAnyValue:StringEquals',
        },
      ],
    });
    expect(JSON.stringify(answer)).not.toContain('uploaders');
  });

  it('adds the expected values when the binding opts in, and the trace for an administrator', () => {
    const full = decision(['engineers'], 'full');
    const self = simulationAnswer({
      decision: simulated(full.d),
      binding: full.b,
      audience: 'self',
      checks: [],
    });
    expect(self.reasons[0]?.detail).toContain('"uploaders"');
    expect(self.trace).toBeUndefined();
    const keys = decision(['engineers']);
    const admin = simulationAnswer({
      decision: simulated(keys.d),
      binding: keys.b,
      audience: 'admin',
      checks: [],
    });
    expect(admin.reasons[0]?.detail).toContain('"uploaders"');
    expect(admin.trace?.[0]).toMatchObject({ bindingId: 'app-upload', decision: 'ImplicitDeny' });
  });

  it('never tells a caller whether a binding exists that they may not use', () => {
    const d = decide({
      token: token(),
      // A fresh compiler: the shared one caches by id and version.
      bindings: [
        new BindingCompiler().compile(
          binding({ trustPolicy: trustFor(['uploaders']), enabled: false }),
        ),
      ],
      revocations: [],
      role: 'app-upload',
      requestedDuration: undefined,
      unverifiedPolicy: undefined,
      origin,
      now: NOW,
      roleChaining: true,
    });
    expect(d).toMatchObject({ kind: 'deny', code: 'BindingDisabled' });
    expect(
      simulationAnswer({
        decision: simulated(d),
        binding: undefined,
        audience: 'self',
        checks: [],
      }),
    ).toEqual({
      decision: 'deny',
      reasons: [{ code: 'RoleNotPermitted' }],
    });
  });

  it("checks the session: own prefix allowed, another's refused by the session policy, an action the role lacks refused by the role", () => {
    const { d, b } = decision(['uploaders']);
    const sub = String(token().claims['sub']);
    const parsed = parseChecks([
      { action: 's3:PutObject', resource: `arn:aws:s3:::media-bucket/uploads/${sub}/a.jpg` },
      { action: 's3:PutObject', resource: 'arn:aws:s3:::media-bucket/uploads/bob/a.jpg' },
      { action: 's3:DeleteObject', resource: `arn:aws:s3:::media-bucket/uploads/${sub}/a.jpg` },
    ]);
    if (!parsed.ok) throw new Error(parsed.message);
    const answer = simulationAnswer({
      decision: simulated(d),
      binding: b,
      audience: 'self',
      checks: parsed.checks,
    });
    expect(answer.decision).toBe('allow');
    expect(answer.checks?.map((c) => [c.decision, c.reasons[0]?.code])).toEqual([
      ['allow', 'Allowed'],
      ['deny', 'SessionPolicyDoesNotAllow'],
      ['deny', 'RolePoliciesDoNotAllow'],
    ]);
    expect(answer.checks?.[1]?.reasons[1]).toMatchObject({
      code: 'ResourceNotMatched',
      policy: 'session',
      statement: 0,
    });
    expect(answer.checks?.[2]?.reasons[1]).toMatchObject({
      code: 'ActionNotMatched',
      policy: 'put-uploads',
    });
  });

  it('answers unknown when the role policies could not be read', () => {
    const { d } = decision(['uploaders']);
    const answer = simulationAnswer({
      decision: simulated(d),
      binding: binding({ permissionPolicies: null }),
      audience: 'self',
      checks: [{ action: 's3:PutObject', resource: 'arn:aws:s3:::media-bucket/x' }],
    });
    expect(answer.checks).toEqual([
      {
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::media-bucket/x',
        decision: 'unknown',
        reasons: [{ code: 'RolePoliciesUnavailable' }],
      },
    ]);
  });
});

describe('parseChecks', () => {
  it('names the first problem by its JSON Pointer', () => {
    expect(parseChecks([{ action: 's3:GetObject', resource: 'x', context: { k: {} } }])).toEqual({
      ok: false,
      field: '/check/0/context/k',
      message: expect.any(String),
    });
    expect(parseChecks('no')).toMatchObject({ ok: false, field: '/check' });
    expect(
      parseChecks(Array.from({ length: 21 }, () => ({ action: 'a:b', resource: 'x' }))),
    ).toMatchObject({
      ok: false,
    });
  });
});

describe('a revoked caller simulating for themself', () => {
  it('is told the usual refusal; an administrator sees SubjectRevoked', () => {
    const b = binding({ trustPolicy: trustFor(['uploaders']) });
    const d = decide({
      token: token(),
      bindings: [compiler.compile(b)],
      revocations: [
        {
          id: '00000000-0000-4000-8000-000000000009',
          issuer: token().issuer,
          username: 'alice',
          reason: 'laptop stolen',
          revokedAt: NOW.toISOString(),
          revokedBy: 'admin',
        },
      ],
      role: 'app-upload',
      requestedDuration: undefined,
      unverifiedPolicy: undefined,
      origin,
      now: NOW,
      roleChaining: true,
    });
    const answer = (audience: 'self' | 'admin') =>
      simulationAnswer({ decision: simulated(d), binding: b, audience, checks: [] });
    expect(answer('self').reasons).toEqual([{ code: 'RoleNotPermitted' }]);
    expect(answer('admin').reasons[0]).toMatchObject({ code: 'SubjectRevoked' });
  });
});
