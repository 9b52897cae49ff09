/**
 * Revocation writes (the admin function): add, lift, list. Each write stores the revocation, then
 * rewrites Tessera's managed deny policy on every target role — the roles named by the bindings of
 * every pool this deployment serves (the policy on a role carries the revocations of all of them)
 * — and forgets revocations that no longer do anything.
 *
 * Order (fail closed): the size of every role's new policy is checked before anything is stored
 * (RevocationPolicyTooLarge, 409); then the revocation is stored (new vends are refused from the
 * next load); then the policies are written. A role IAM refuses as too large (its other inline
 * policies count too) undoes the add and answers 409; a role that cannot be written for another
 * reason (another account without credentials, access denied) is named in the answer with its
 * fault, and the revocation stands.
 */
import { randomUUID } from 'node:crypto';
import { accountOf } from './binding.js';
import { type Clock, systemClock } from './clock.js';
import { RevocationError, RolePolicyError, type RolePolicyFault } from './errors.js';
import type { BindingStore, RevocationStore, RolePolicyWriter } from './ports.js';
import { describeRevocation, type Revocation } from './revocation.js';
import {
  type PolicyInput,
  planRolePolicy,
  policyChars,
  REVOCATION_POLICY_NAME,
  REVOCATION_SKEW_SECONDS,
  type RolePolicyPlan,
  type RoleTarget,
  spentRevocations,
} from './revocation-policy.js';
import type { RevocationRequest } from './schema/revocation.js';
import type { Binding } from './types.js';

export interface RevocationAdminDeps {
  readonly store: BindingStore & RevocationStore;
  readonly writer: RolePolicyWriter;
  /** Every pool this deployment serves (issuer URLs): a role's policy covers all of them. */
  readonly issuers: readonly string[];
  /** The vend functions' binding cache TTL: the longest delay until every warm function sees it. */
  readonly cacheSeconds: number;
  readonly clock?: Clock;
  readonly newId?: () => string;
}

export interface RoleUpdate {
  readonly roleArn: string;
  readonly account: string;
  /** `put`: policy written; `deleted`: no entry left; `failed`: see `fault`. */
  readonly result: 'put' | 'deleted' | 'failed';
  readonly fault?: RolePolicyFault;
  readonly chars: number;
  readonly budget: number;
}

export interface RevocationWrite {
  readonly revocation: ReturnType<typeof describeRevocation>;
  /** How long until every warm vend function refuses (or, lifted, allows) this subject. */
  readonly propagation: { readonly maxDelaySeconds: number; readonly refreshedHere: true };
  readonly policyName: string;
  readonly roles: readonly RoleUpdate[];
  /** Accounts whose roles could not be updated (named, never silently skipped). */
  readonly accountsNotUpdated: readonly string[];
}

export interface RevocationAdmin {
  add(issuer: string, request: RevocationRequest, actor: string): Promise<RevocationWrite>;
  lift(issuer: string, id: string, actor: string): Promise<RevocationWrite>;
  list(issuer: string): Promise<ReturnType<typeof describeRevocation>[]>;
}

/** The roles of every pool's bindings, each with its longest session and other inline policies. */
function targetsOf(bindings: readonly Binding[]): RoleTarget[] {
  const byRole = new Map<string, RoleTarget>();
  for (const b of bindings) {
    const others = (b.permissionPolicies?.policies ?? [])
      .filter((p) => p.kind === 'inline' && p.name !== REVOCATION_POLICY_NAME)
      .reduce((sum, p) => sum + policyChars(JSON.stringify(p.document)), 0);
    const seen = byRole.get(b.roleArn);
    byRole.set(b.roleArn, {
      roleArn: b.roleArn,
      maxSessionSeconds: Math.max(seen?.maxSessionSeconds ?? 0, b.roleMaxSessionDuration),
      otherInlineChars: Math.max(seen?.otherInlineChars ?? 0, others),
    });
  }
  return [...byRole.values()].sort((a, b) => (a.roleArn < b.roleArn ? -1 : 1));
}

function tooLarge(plans: readonly RolePolicyPlan[]): RevocationError {
  const over = plans.filter((p) => !p.fits);
  const names = over.map((p) => `${p.roleArn} (${p.chars} of ${p.budget} characters)`);
  return new RevocationError(
    'RevocationPolicyTooLarge',
    `the revocation policy would exceed IAM's role inline policy limit on ${names.join(', ')}`,
    { roles: over.map(({ roleArn, chars, budget }) => ({ roleArn, chars, budget })) },
  );
}

export function createRevocationAdmin(deps: RevocationAdminDeps): RevocationAdmin {
  return new Revocations(deps);
}

class Revocations implements RevocationAdmin {
  readonly #deps: RevocationAdminDeps;
  readonly #clock: Clock;
  readonly #newId: () => string;
  readonly #propagationSeconds: number;

  constructor(deps: RevocationAdminDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#newId = deps.newId ?? randomUUID;
    this.#propagationSeconds = deps.cacheSeconds + REVOCATION_SKEW_SECONDS;
  }

  /** Every pool, read now (never a cache): bindings and revocations. */
  async #everything(): Promise<{ bindings: Binding[]; revocations: Revocation[] }> {
    const { store, issuers } = this.#deps;
    const pools = await Promise.all(
      issuers.map((issuer) => {
        store.refresh(issuer);
        return store.loadPool(issuer);
      }),
    );
    return {
      bindings: pools.flatMap((p) => p.bindings),
      revocations: pools.flatMap((p) => p.revocations),
    };
  }

  #plan(revocations: readonly Revocation[], bindings: readonly Binding[]) {
    const now = this.#clock.now();
    const input: PolicyInput = { revocations, now, propagationSeconds: this.#propagationSeconds };
    return { input, plans: targetsOf(bindings).map((t) => planRolePolicy(input, t)) };
  }

  #write(plans: readonly RolePolicyPlan[]): Promise<RoleUpdate[]> {
    return Promise.all(plans.map((p) => this.#writeOne(p)));
  }

  async #writeOne(p: RolePolicyPlan): Promise<RoleUpdate> {
    const { writer } = this.#deps;
    const base = {
      roleArn: p.roleArn,
      account: accountOf(p.roleArn),
      chars: p.chars,
      budget: p.budget,
    };
    try {
      if (p.document === null) {
        await writer.deleteRolePolicy(p.roleArn, REVOCATION_POLICY_NAME);
        return { ...base, result: 'deleted' };
      }
      await writer.putRolePolicy(p.roleArn, REVOCATION_POLICY_NAME, p.document);
      return { ...base, result: 'put' };
    } catch (err) {
      const fault = err instanceof RolePolicyError ? err.fault : 'Unavailable';
      return { ...base, result: 'failed', fault };
    }
  }

  async #forget(input: PolicyInput, plans: readonly RolePolicyPlan[]): Promise<void> {
    for (const spent of spentRevocations(input, plans)) {
      await this.#deps.store.forgetRevocation(spent.issuer, spent.id);
    }
  }

  #answer(revocation: Revocation, roles: RoleUpdate[]): RevocationWrite {
    const failed = roles.filter((r) => r.result === 'failed').map((r) => r.account);
    this.#deps.store.refresh(revocation.issuer);
    return {
      revocation: describeRevocation(revocation, this.#clock.now()),
      propagation: { maxDelaySeconds: this.#deps.cacheSeconds, refreshedHere: true },
      policyName: REVOCATION_POLICY_NAME,
      roles,
      accountsNotUpdated: [...new Set(failed)].sort(),
    };
  }

  #revocation(issuer: string, request: RevocationRequest, actor: string): Revocation {
    const now = this.#clock.now();
    if (request.until !== undefined && Date.parse(request.until) <= now.getTime()) {
      throw new RevocationError('InvalidRequest', 'until must be in the future', {
        field: '/until',
      });
    }
    return {
      id: this.#newId(),
      issuer,
      ...(request.subject !== undefined ? { subject: request.subject } : {}),
      ...(request.username !== undefined ? { username: request.username } : {}),
      reason: request.reason,
      revokedAt: now.toISOString(),
      ...(request.until !== undefined ? { until: request.until } : {}),
      revokedBy: actor,
    };
  }

  async add(issuer: string, request: RevocationRequest, actor: string): Promise<RevocationWrite> {
    const revocation = this.#revocation(issuer, request, actor);
    const before = await this.#everything();
    const after = this.#plan([...before.revocations, revocation], before.bindings);
    if (after.plans.some((p) => !p.fits)) throw tooLarge(after.plans);
    await this.#deps.store.addRevocation(revocation);
    const roles = await this.#write(after.plans);
    const over = roles.filter((r) => r.fault === 'PolicyTooLarge');
    if (over.length > 0) {
      // IAM counts the role's other inline policies too: undo, and say which role.
      await this.#deps.store.forgetRevocation(issuer, revocation.id);
      await this.#write(this.#plan(before.revocations, before.bindings).plans);
      throw tooLarge(over.map((r) => ({ ...r, document: null, revocationIds: [], fits: false })));
    }
    await this.#forget(after.input, after.plans);
    return this.#answer(revocation, roles);
  }

  async lift(issuer: string, id: string, actor: string): Promise<RevocationWrite> {
    const liftedAt = this.#clock.now().toISOString();
    await this.#deps.store.liftRevocation(issuer, id, liftedAt, actor);
    const now = await this.#everything();
    const lifted = now.revocations.find((r) => r.issuer === issuer && r.id === id);
    if (lifted === undefined) {
      throw new RevocationError('RevocationNotFound', `revocation ${id} does not exist`);
    }
    const after = this.#plan(now.revocations, now.bindings);
    const roles = await this.#write(after.plans);
    await this.#forget(after.input, after.plans);
    return this.#answer(lifted, roles);
  }

  async list(issuer: string) {
    this.#deps.store.refresh(issuer);
    const pool = await this.#deps.store.loadPool(issuer);
    const at = this.#clock.now();
    return pool.revocations.map((r) => describeRevocation(r, at));
  }
}
