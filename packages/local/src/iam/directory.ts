/**
 * The local AWS accounts as data: roles (ARN, id, trust policy, identity policies, max session
 * duration) and IAM users, built from the config with every policy parsed by @tessera/policy
 * up front (an invalid policy is a config error, not a runtime surprise).
 *
 * A role's inline policies can change at run time (IAM PutRolePolicy / DeleteRolePolicy): the
 * role object's `identityPolicies` is replaced in place, so every session of the role — which
 * holds the role object — is decided with the role's current policies from the next request on,
 * as IAM evaluates a session's role policies per request. Those changes are kept in
 * `<home>/iam/role-policies.json` (the role's inline policies as IAM last wrote them).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pointerOf } from '@tessera/broker';
import { type Policy, PolicyError, parsePolicy } from '@tessera/policy';
import { roleArn } from '../config.js';
import type { LocalConfigProblem } from '../config-schema.js';
import { LocalConfigError, LocalStackError } from '../errors.js';
import type { LocalConfig, LocalIamUser, LocalRole, PolicyDocument } from '../types.js';

export interface DirectoryRole {
  readonly config: LocalRole;
  readonly arn: string;
  /** `AROA` + 17 characters, stable for the ARN. */
  readonly roleId: string;
  readonly account: string;
  readonly name: string;
  readonly trustPolicy: Policy;
  /** The inline policies (config `policies`, then PutRolePolicy) and the managed ones, compiled. */
  readonly identityPolicies: readonly Policy[];
  /** The inline policies by name, as written (ListRolePolicies / GetRolePolicy). */
  readonly inlinePolicies: ReadonlyMap<string, InlinePolicy>;
  readonly createDate: Date;
}

export interface InlinePolicy {
  readonly document: PolicyDocument;
  readonly policy: Policy;
}

/** What IAM's aggregate limit counts for a role's inline policies: characters, no whitespace. */
export function inlineChars(document: PolicyDocument): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}

/** A customer managed policy of the config (`managedPolicies` of a role), attached to its role. */
export interface DirectoryManagedPolicy {
  readonly arn: string;
  readonly name: string;
  readonly account: string;
  readonly policyId: string;
  readonly document: PolicyDocument;
  readonly attachments: number;
  readonly createDate: Date;
}

export interface DirectoryUser {
  readonly config: LocalIamUser;
  readonly arn: string;
  readonly userId: string;
  readonly account: string;
  readonly identityPolicies: readonly Policy[];
}

/** A fixed creation date: the local accounts "exist" since the project began. */
const CREATED = new Date('2026-01-01T00:00:00Z');

export function stableId(prefix: string, seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(seed).digest();
  let out = prefix;
  for (let i = 0; i < 17; i++) out += alphabet[digest[i]! % alphabet.length];
  return out;
}

export class Directory {
  private readonly roles = new Map<string, DirectoryRole>();
  private readonly users = new Map<string, DirectoryUser>();
  private readonly managed = new Map<string, DirectoryManagedPolicy>();
  readonly #managedCompiled = new Map<string, Policy>();

  constructor(readonly config: LocalConfig) {
    const problems: LocalConfigProblem[] = [];
    const compile = (doc: PolicyDocument, where: string): Policy | undefined => {
      try {
        return parsePolicy(doc);
      } catch (err) {
        if (err instanceof PolicyError)
          problems.push({ code: err.code, pointer: `${where}${err.path}`, message: err.message });
        else throw err;
        return undefined;
      }
    };
    for (const [i, role] of config.roles.entries()) {
      const trust = compile(role.trustPolicy, pointerOf(['roles', i, 'trustPolicy']));
      const policies = Object.entries(role.policies).map(([name, doc]) =>
        compile(doc, pointerOf(['roles', i, 'policies', name])),
      );
      const arn = roleArn(role);
      for (const [name, doc] of Object.entries(role.managedPolicies)) {
        const policy = compile(doc, `$.roles[${i}].managedPolicies.${name}`);
        if (policy) policies.push(policy);
        const policyArn = `arn:aws:iam::${role.account}:policy/${name}`;
        if (policy) this.#managedCompiled.set(policyArn, policy);
        const seen = this.managed.get(policyArn);
        this.managed.set(policyArn, {
          arn: policyArn,
          name,
          account: role.account,
          policyId: stableId('ANPA', policyArn),
          document: doc,
          attachments: (seen?.attachments ?? 0) + 1,
          createDate: CREATED,
        });
      }
      if (trust && policies.every((p) => p !== undefined)) {
        const inline = new Map<string, InlinePolicy>(
          Object.entries(role.policies).map(([name, document], k) => [
            name,
            { document, policy: policies[k]! },
          ]),
        );
        this.roles.set(arn, {
          config: role,
          arn,
          roleId: stableId('AROA', arn),
          account: role.account,
          name: role.name,
          trustPolicy: trust,
          identityPolicies: policies as Policy[],
          inlinePolicies: inline,
          createDate: CREATED,
        });
      }
    }
    for (const [i, user] of config.iamUsers.entries()) {
      const policies = Object.entries(user.policies).map(([name, doc]) =>
        compile(doc, pointerOf(['iamUsers', i, 'policies', name])),
      );
      const arn = `arn:aws:iam::${user.account}:user/${user.name}`;
      if (policies.every((p) => p !== undefined)) {
        this.users.set(user.name, {
          config: user,
          arn,
          userId: stableId('AIDA', arn),
          account: user.account,
          identityPolicies: policies as Policy[],
        });
      }
    }
    if (problems.length > 0) throw new LocalConfigError('config policies', problems);
  }

  /**
   * IAM PutRolePolicy (`document` already parsed as `policy`) or, with `null`, DeleteRolePolicy:
   * the role's policies change in place and the change is persisted when a state file is set.
   */
  setRolePolicy(role: DirectoryRole, name: string, entry: InlinePolicy | null): void {
    const inline = role.inlinePolicies as Map<string, InlinePolicy>;
    if (entry === null) inline.delete(name);
    else inline.set(name, entry);
    const managed = this.attachedPolicies(role).map((p) => this.#managedCompiled.get(p.arn)!);
    (role as { identityPolicies: readonly Policy[] }).identityPolicies = [
      ...[...inline.values()].map((p) => p.policy),
      ...managed,
    ];
    this.#save();
  }

  /**
   * Keeps run-time role policy changes in `path` and applies those already there (written by an
   * earlier run): each role's inline policies as IAM last wrote them.
   */
  persistRolePolicies(path: string): void {
    this.#statePath = path;
    if (!existsSync(path)) return;
    let stored: Record<string, Record<string, PolicyDocument>>;
    try {
      stored = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new LocalStackError(
        'InvalidState',
        `${path} is not valid JSON; remove it to forget the role policies written at run time`,
        { cause: err },
      );
    }
    for (const [arn, policies] of Object.entries(stored)) {
      const role = this.roles.get(arn);
      if (!role) continue;
      for (const name of [...role.inlinePolicies.keys()]) {
        if (!(name in policies)) this.setRolePolicy(role, name, null);
      }
      for (const [name, document] of Object.entries(policies)) {
        this.setRolePolicy(role, name, { document, policy: parsePolicy(document) });
      }
    }
  }

  #statePath: string | undefined;

  #save(): void {
    if (this.#statePath === undefined) return;
    const state: Record<string, Record<string, PolicyDocument>> = {};
    for (const role of this.roles.values()) {
      state[role.arn] = Object.fromEntries(
        [...role.inlinePolicies.entries()].map(([name, p]) => [name, p.document]),
      );
    }
    mkdirSync(dirname(this.#statePath), { recursive: true, mode: 0o700 });
    const tmp = `${this.#statePath}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#statePath);
  }

  roleByArn(arn: string): DirectoryRole | undefined {
    return this.roles.get(arn);
  }

  /** IAM is per account: GetRole finds a role by name in the caller's account only. */
  roleByName(account: string, name: string): DirectoryRole | undefined {
    for (const r of this.roles.values()) if (r.account === account && r.name === name) return r;
    return undefined;
  }

  managedPolicy(arn: string): DirectoryManagedPolicy | undefined {
    return this.managed.get(arn);
  }

  /** The managed policies attached to a role (its config's `managedPolicies`). */
  attachedPolicies(role: DirectoryRole): DirectoryManagedPolicy[] {
    return Object.keys(role.config.managedPolicies).map(
      (name) => this.managed.get(`arn:aws:iam::${role.account}:policy/${name}`)!,
    );
  }

  user(name: string): DirectoryUser | undefined {
    return this.users.get(name);
  }

  allRoles(): DirectoryRole[] {
    return [...this.roles.values()];
  }
}
