/**
 * The local AWS accounts as data: roles (ARN, id, trust policy, identity policies, max session
 * duration) and IAM users, built from the config with every policy parsed by @tessera/policy
 * up front (an invalid policy is a config error, not a runtime surprise).
 */
import { createHash } from 'node:crypto';
import { pointerOf } from '@tessera/broker';
import { type Policy, PolicyError, parsePolicy } from '@tessera/policy';
import { roleArn } from '../config.js';
import type { LocalConfigProblem } from '../config-schema.js';
import { LocalConfigError } from '../errors.js';
import type { LocalConfig, LocalIamUser, LocalRole, PolicyDocument } from '../types.js';

export interface DirectoryRole {
  readonly config: LocalRole;
  readonly arn: string;
  /** `AROA` + 17 characters, stable for the ARN. */
  readonly roleId: string;
  readonly account: string;
  readonly name: string;
  readonly trustPolicy: Policy;
  readonly identityPolicies: readonly Policy[];
  readonly createDate: Date;
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
        this.roles.set(arn, {
          config: role,
          arn,
          roleId: stableId('AROA', arn),
          account: role.account,
          name: role.name,
          trustPolicy: trust,
          identityPolicies: policies as Policy[],
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
