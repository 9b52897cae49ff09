/**
 * The Tessera-managed inline policy that makes a revocation reach sessions already issued: on
 * each target role, Deny `*` on `*` when `aws:SourceIdentity` is a revoked identity and
 * `aws:TokenIssueTime` is before the revocation took effect everywhere. SourceIdentity persists
 * across role chaining (AWS: "Monitor and control actions taken with assumed roles"), and IAM
 * evaluates a role's inline policies for every request of its sessions, so the deny holds at once.
 *
 * Pure: revocations, the role's maximum session and the clock in; the policy text and its size out.
 *
 * When a revocation "took effect everywhere": warm functions see it within the binding cache's TTL
 * (`propagationSeconds`), so a session issued before `revokedAt + propagationSeconds` may exist;
 * none is issued after that while the revocation is active. A lift (or `until`) ends the window
 * earlier: sessions issued after it are legitimate. So an entry denies sessions issued before
 *   min(revokedAt + propagation (rounded up to the second), liftedAt, until (rounded down)),
 * and drops out once every such session has expired: that time + the role's maximum session.
 *
 * Compact by construction: revocations still active share one statement (any cut-off between
 * their own and now is equivalent: their identities get no session meanwhile), so the policy grows
 * by one quoted identity per revoked person, not one statement.
 */
import { type Revocation, revocationState, revokedIdentities } from './revocation.js';

/** The inline policy's name on every target role (one pool: see `revocationPolicyName`). */
export const REVOCATION_POLICY_NAME = 'TesseraRevocations';

/**
 * IAM: "Role policy size cannot exceed 10,240 characters" — the aggregate of a role's inline
 * policies, whitespace not counted (IAM and AWS STS quotas, "IAM and STS character limits").
 */
export const ROLE_INLINE_POLICY_CHARS = 10_240;

/** Clock skew allowed between the functions, STS and the time a revocation is stamped with. */
export const REVOCATION_SKEW_SECONDS = 60;

export interface RoleTarget {
  readonly roleArn: string;
  /** The longest session any binding of the role can issue (the role's MaxSessionDuration). */
  readonly maxSessionSeconds: number;
  /** Non-whitespace characters of the role's other inline policies (IAM's limit is aggregate). */
  readonly otherInlineChars: number;
}

export interface PolicyInput {
  readonly revocations: readonly Revocation[];
  readonly now: Date;
  /** The binding cache's TTL plus skew: how long a revocation may take to reach every function. */
  readonly propagationSeconds: number;
}

export interface RolePolicyPlan {
  readonly roleArn: string;
  /** The policy text to put; null: no entry is left (delete the policy). */
  readonly document: string | null;
  /** Revocations still in the policy. */
  readonly revocationIds: readonly string[];
  /** Non-whitespace characters of `document` (0 when null). */
  readonly chars: number;
  /** What IAM leaves for this policy: the aggregate limit minus the role's other inline policies. */
  readonly budget: number;
  readonly fits: boolean;
}

interface Entry {
  readonly revocation: Revocation;
  /** Sessions issued before this (ms, whole seconds) are denied. */
  readonly issuedBefore: number;
  /** Every targeted session has expired by then (ms). */
  readonly dropsAt: number;
}

const SECOND = 1000;
const ceilSecond = (ms: number) => Math.ceil(ms / SECOND) * SECOND;
const floorSecond = (ms: number) => Math.floor(ms / SECOND) * SECOND;

/** The end of the window of sessions a revocation denies, and when its last one expires. */
export function revocationWindow(
  revocation: Revocation,
  propagationSeconds: number,
  maxSessionSeconds: number,
): { issuedBefore: Date; dropsAt: Date } {
  const ends = [ceilSecond(Date.parse(revocation.revokedAt) + propagationSeconds * SECOND)];
  if (revocation.liftedAt !== undefined) ends.push(floorSecond(Date.parse(revocation.liftedAt)));
  if (revocation.until !== undefined) ends.push(floorSecond(Date.parse(revocation.until)));
  const issuedBefore = Math.min(...ends);
  return {
    issuedBefore: new Date(issuedBefore),
    dropsAt: new Date(issuedBefore + maxSessionSeconds * SECOND),
  };
}

function entriesFor(input: PolicyInput, target: RoleTarget): Entry[] {
  return input.revocations
    .map((revocation) => {
      const w = revocationWindow(revocation, input.propagationSeconds, target.maxSessionSeconds);
      return { revocation, issuedBefore: w.issuedBefore.getTime(), dropsAt: w.dropsAt.getTime() };
    })
    .filter((e) => e.dropsAt > input.now.getTime());
}

/** `2026-01-01T00:00:00Z`: the form of aws:TokenIssueTime. */
const awsTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Statements by cut-off: the active revocations share the latest of their cut-offs (when none of
 * them ends before it); every other entry keeps its own. Identities sorted, so equal inputs give
 * equal text.
 */
function groups(entries: readonly Entry[], now: Date): Map<number, Set<string>> {
  const active = entries.filter((e) => revocationState(e.revocation, now) === 'active');
  const shared = Math.max(...active.map((e) => e.issuedBefore));
  const byCutoff = new Map<number, Set<string>>();
  for (const e of entries) {
    const canShare =
      active.includes(e) &&
      (e.revocation.until === undefined || floorSecond(Date.parse(e.revocation.until)) >= shared);
    const cutoff = canShare ? shared : e.issuedBefore;
    const set = byCutoff.get(cutoff) ?? new Set<string>();
    for (const id of revokedIdentities(e.revocation)) set.add(id);
    byCutoff.set(cutoff, set);
  }
  return byCutoff;
}

function documentOf(byCutoff: Map<number, Set<string>>): string {
  const statements = [...byCutoff.entries()]
    .sort(([a], [b]) => a - b)
    .map(([cutoff, ids], i) => ({
      Sid: `TesseraRevoked${i}`,
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceIdentity': [...ids].sort() },
        DateLessThan: { 'aws:TokenIssueTime': awsTime(cutoff) },
      },
    }));
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** IAM counts a policy's size without whitespace. */
export function policyChars(text: string): number {
  return text.replace(/\s/g, '').length;
}

/** The managed policy of one role for these revocations. */
export function planRolePolicy(input: PolicyInput, target: RoleTarget): RolePolicyPlan {
  const entries = entriesFor(input, target);
  const budget = ROLE_INLINE_POLICY_CHARS - target.otherInlineChars;
  if (entries.length === 0) {
    return {
      roleArn: target.roleArn,
      document: null,
      revocationIds: [],
      chars: 0,
      budget,
      fits: true,
    };
  }
  const document = documentOf(groups(entries, input.now));
  const chars = policyChars(document);
  return {
    roleArn: target.roleArn,
    document,
    revocationIds: entries.map((e) => e.revocation.id),
    chars,
    budget,
    fits: chars <= budget,
  };
}

/**
 * Revocations that no longer do anything: not refusing vends, and out of every role's policy.
 * The store may forget them.
 */
export function spentRevocations(
  input: PolicyInput,
  plans: readonly RolePolicyPlan[],
): Revocation[] {
  const inPolicy = new Set(plans.flatMap((p) => p.revocationIds));
  return input.revocations.filter(
    (r) => revocationState(r, input.now) !== 'active' && !inPolicy.has(r.id),
  );
}
