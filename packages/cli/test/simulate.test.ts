import { describe, expect, it } from 'vitest';
import { explain } from '../src/commands/simulate.js';

describe('explain (simulate in plain words)', () => {
  it('words a deny by key and operator, with where it failed', () => {
    const text = explain(
      {
        decision: 'deny',
        bindingId: 'partner-audit',
        reasons: [
          {
            code: 'ConditionNotMet',
            bindingId: 'partner-audit',
            policy: 'trust',
            statement: 0,
            element: 'Condition',
            key: 'token:cognito:groups',
            operator: 'ForAnyValue:StringEquals',
          },
        ],
      },
      'partner-audit',
    );
    expect(text).toBe(
      'DENIED: you may not use partner-audit.\n  - condition ForAnyValue:StringEquals on token:cognito:groups is not met [binding partner-audit, trust policy, statement 0]',
    );
  });

  it('words an allow with its duration, clamp and checks', () => {
    const text = explain(
      {
        decision: 'allow',
        roleArn: 'arn:aws:iam::111111111111:role/eng-readonly',
        durationSeconds: 3600,
        clampedBy: 'role-chaining',
        sessionPolicy: null,
        sourceIdentity: 'erin',
        reasons: [
          { code: 'TrustAllowed', bindingId: 'eng-readonly', policy: 'trust', statement: 0 },
        ],
        checks: [
          { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', decision: 'deny', reasons: [] },
        ],
      },
      'eng-readonly',
    );
    expect(text.split('\n')).toEqual([
      'ALLOWED: you may use eng-readonly (arn:aws:iam::111111111111:role/eng-readonly).',
      '  for 1 h, clamped to 1 h by role chaining',
      '  as SourceIdentity erin',
      "  session policy: none (the role's own permissions)",
      '  - the trust policy allows you [binding eng-readonly, trust policy, statement 0]',
      'NO  s3:GetObject on arn:aws:s3:::b/k',
    ]);
  });
});
