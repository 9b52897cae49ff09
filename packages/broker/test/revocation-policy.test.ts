import { evaluate, parsePolicy } from '@tessera/policy';
import { describe, expect, it } from 'vitest';
import {
  planRolePolicy,
  policyChars,
  type Revocation,
  ROLE_INLINE_POLICY_CHARS,
  revocationWindow,
  spentRevocations,
} from '../src/index.js';
import { ISSUER, NOW } from './fixtures.js';

const ROLE = 'arn:aws:iam::111122223333:role/eng-readonly';
const target = (maxSessionSeconds = 3600, otherInlineChars = 0) => ({
  roleArn: ROLE,
  maxSessionSeconds,
  otherInlineChars,
});
const at = (offsetSeconds: number) => new Date(NOW.getTime() + offsetSeconds * 1000);
let ids = 0;
function revocation(overrides: Partial<Revocation> = {}): Revocation {
  ids += 1;
  return {
    id: `00000000-0000-4000-8000-${String(ids).padStart(12, '0')}`,
    issuer: ISSUER,
    username: 'erin',
    reason: 'laptop stolen',
    revokedAt: NOW.toISOString(),
    revokedBy: `${ISSUER}|admin`,
    ...overrides,
  };
}

/** What IAM decides for a session of the role with this SourceIdentity issued at `issued`. */
function decision(document: string, sourceIdentity: string, issued: Date) {
  return evaluate({
    request: {
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::bucket',
      context: {
        'aws:SourceIdentity': sourceIdentity,
        'aws:TokenIssueTime': issued.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    },
    identityPolicies: [
      parsePolicy({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
      }),
      parsePolicy(JSON.parse(document)),
    ],
  }).decision;
}

describe('the managed revocation policy', () => {
  it('denies the revoked identity for sessions issued before the cut-off only', () => {
    const plan = planRolePolicy(
      { revocations: [revocation()], now: NOW, propagationSeconds: 35 },
      target(),
    );
    expect(plan.fits).toBe(true);
    const doc = plan.document!;
    expect(decision(doc, 'erin', at(-600))).toBe('ExplicitDeny');
    // Issued by a warm function whose cache had not seen it yet: still denied.
    expect(decision(doc, 'erin', at(30))).toBe('ExplicitDeny');
    expect(decision(doc, 'alice', at(-600))).toBe('Allow');
  });

  it('a lifted revocation keeps denying the sessions from before the lift, not the new ones', () => {
    const lifted = revocation({ liftedAt: at(600).toISOString() });
    const doc = planRolePolicy(
      { revocations: [lifted], now: at(601), propagationSeconds: 35 },
      target(),
    ).document!;
    expect(decision(doc, 'erin', at(-10))).toBe('ExplicitDeny');
    expect(decision(doc, 'erin', at(602))).toBe('Allow');
  });

  it('drops an entry once every session it targets has expired (the role maximum)', () => {
    const r = revocation();
    const window = revocationWindow(r, 35, 3600);
    expect(window.issuedBefore.toISOString()).toBe(at(35).toISOString());
    expect(window.dropsAt.toISOString()).toBe(at(35 + 3600).toISOString());
    const input = (now: Date) => ({ revocations: [r], now, propagationSeconds: 35 });
    expect(planRolePolicy(input(at(3634)), target()).document).not.toBeNull();
    const gone = planRolePolicy(input(at(3635)), target());
    expect(gone).toMatchObject({ document: null, revocationIds: [], chars: 0 });
    // A role with 12-hour sessions keeps it longer.
    expect(planRolePolicy(input(at(3635)), target(43_200)).revocationIds).toEqual([r.id]);
  });

  it('a spent revocation (lifted, out of every policy) may be forgotten; an active one never', () => {
    const active = revocation({ username: 'olga' });
    const lifted = revocation({ liftedAt: at(60).toISOString() });
    const input = { revocations: [active, lifted], now: at(4000), propagationSeconds: 35 };
    const plans = [planRolePolicy(input, target())];
    expect(spentRevocations(input, plans).map((r) => r.id)).toEqual([lifted.id]);
  });

  it('active revocations share one statement: one quoted identity per person', () => {
    const revocations = Array.from({ length: 3 }, (_, i) =>
      revocation({ username: `user-${i}`, revokedAt: at(i * 10).toISOString() }),
    );
    const doc = JSON.parse(
      planRolePolicy({ revocations, now: at(30), propagationSeconds: 35 }, target()).document!,
    );
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0].Condition.StringEquals['aws:SourceIdentity']).toEqual([
      'user-0',
      'user-1',
      'user-2',
    ]);
  });

  it('counts size as IAM does (no whitespace) against what the role leaves', () => {
    expect(policyChars('{ "a" :\n [1, 2] }')).toBe(11);
    const plan = planRolePolicy(
      { revocations: [revocation()], now: NOW, propagationSeconds: 35 },
      target(3600, ROLE_INLINE_POLICY_CHARS - 100),
    );
    expect(plan.budget).toBe(100);
    expect(plan.fits).toBe(false);
  });

  it('200 revoked people across 3 roles: within 10,240 characters for usernames of 20 characters', () => {
    const revocations = Array.from({ length: 200 }, (_, i) =>
      revocation({ username: `employee.${String(i).padStart(11, '0')}` }),
    );
    const input = { revocations, now: at(10), propagationSeconds: 35 };
    const roles = ['a', 'b', 'c'].map((name) => ({
      ...target(),
      roleArn: `arn:aws:iam::111122223333:role/${name}`,
    }));
    for (const role of roles) {
      const plan = planRolePolicy(input, role);
      expect(plan.fits, `${plan.chars} characters`).toBe(true);
      expect(plan.chars).toBeLessThanOrEqual(ROLE_INLINE_POLICY_CHARS);
      expect(decision(plan.document!, 'employee.00000000137', at(-5))).toBe('ExplicitDeny');
      expect(decision(plan.document!, 'employee.99999999999', at(-5))).toBe('Allow');
    }
  });

  it('200 revoked people with 64-character identities do not fit: the plan says so', () => {
    const revocations = Array.from({ length: 200 }, (_, i) =>
      revocation({ username: `u${String(i).padStart(63, '0')}` }),
    );
    const plan = planRolePolicy({ revocations, now: at(10), propagationSeconds: 35 }, target());
    expect(plan.fits).toBe(false);
    expect(plan.chars).toBeGreaterThan(ROLE_INLINE_POLICY_CHARS);
  });
});
