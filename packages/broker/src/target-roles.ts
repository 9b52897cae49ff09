/**
 * The roles Tessera may assume on someone's behalf: never its own (a binding for the broker's
 * role would hand out the broker's permissions), and only the configured targets — the roles its
 * IAM policy lets it assume (infra `targetRoles`). Checked when a binding is written, so a binding
 * for any other role is refused with its reason instead of being stored and failing at STS later.
 */
import { ROLE_ARN } from './schema/binding.js';

/** The configured targets: a list of role ARNs, or every role under one IAM path in some accounts. */
export type TargetRoleScope =
  | { readonly arns: readonly string[] }
  | { readonly path: string; readonly accounts: readonly string[] };

export interface TargetRoles {
  /** The broker's own (execution) role: never a target, whatever `allowed` says. */
  readonly brokerRoleArn: string;
  readonly allowed: TargetRoleScope;
}

/** Why a role may not be bound: the broker's own, or not among the targets. */
export type NotTargetable = 'BrokerRole' | 'NotATarget';

interface RoleParts {
  readonly account: string;
  /** `/` or `/a/b/`. */
  readonly path: string;
  readonly name: string;
}

/** A role ARN's account, path and name; undefined when it is not a role ARN. */
function partsOf(roleArn: string): RoleParts | undefined {
  const account = ROLE_ARN.exec(roleArn)?.[1];
  if (account === undefined) return undefined;
  const resource = roleArn.slice(roleArn.indexOf(':role/') + ':role'.length);
  const cut = resource.lastIndexOf('/') + 1;
  return { account, path: resource.slice(0, cut), name: resource.slice(cut) };
}

/**
 * Whether a binding may name `roleArn`; else why not. IAM role names are unique per account
 * without regard to case or path, so the broker's role is recognised by account and name alone;
 * targets match as IAM's resource patterns do (exact ARNs, or `role<path>*`).
 */
export function notTargetable(targets: TargetRoles, roleArn: string): NotTargetable | undefined {
  const role = partsOf(roleArn);
  if (role === undefined) return 'NotATarget';
  const broker = partsOf(targets.brokerRoleArn);
  if (
    broker !== undefined &&
    role.account === broker.account &&
    role.name.toLowerCase() === broker.name.toLowerCase()
  ) {
    return 'BrokerRole';
  }
  const { allowed } = targets;
  const listed =
    'arns' in allowed
      ? allowed.arns.includes(roleArn)
      : allowed.accounts.includes(role.account) &&
        `${role.path}${role.name}`.startsWith(allowed.path);
  return listed ? undefined : 'NotATarget';
}
