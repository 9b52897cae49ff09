/**
 * The execution roles' identity policies, written out as IAM policy documents by pure functions of
 * the validated stage. `infra/roles.ts` deploys exactly these documents and `npm run synth` writes
 * them to `dist/infra/`, where the least-privilege tests evaluate them with `@tessera/policy`.
 *
 * Each role gets a short list of grants; each grant is one statement with named actions on named
 * resources — no `*` action, no `*` resource, no PassRole, no data-plane access. The one IAM
 * write is the kill switch's: the admin role may put and delete inline policies on the target
 * roles only (Tessera's managed revocation policy), and assume the revocation writer role that
 * another account's cross-account template creates for exactly that.
 */
import { auditTable, bindingsTable } from '../packages/broker/src/adapters/dynamodb-schema.js';
import type { Stage } from './config.js';
import { FUNCTIONS, type FunctionName, functionNames, type RoleKind } from './functions.js';
import { indexArn, logStreamsArn, tableArn, tableName, trailReaderRoleArn } from './naming.js';
import { signStatement, webIdentityOf } from './web-identity.js';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** A trust (resource) policy: statements with a Principal and optional conditions, no Resource. */
export interface TrustStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal:
    | { readonly AWS: string }
    | { readonly Service: string }
    | { readonly Federated: string };
  readonly Action: readonly string[];
  readonly Condition?: Readonly<
    Record<string, Readonly<Record<string, string | readonly string[]>>>
  >;
}

export interface TrustPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly TrustStatement[];
}

export type Grant =
  | 'logs'
  | 'bindings:read'
  | 'bindings:write'
  | 'audit:read'
  | 'audit:write'
  | 'subjects:read'
  | 'subjects:write'
  | 'sts:assume-targets'
  | 'kms:sign-web-identity'
  | 'iam:read-targets'
  | 'iam:read-target-policies'
  | 'cloudtrail:lookup'
  | 'sts:assume-trail-readers'
  | 'iam:write-revocation-policies'
  | 'sts:assume-revocation-writers';

/** What each execution role may do. The table is the policy; the statements are derived. */
export const ROLE_GRANTS: Readonly<Record<RoleKind, readonly Grant[]>> = {
  // kms:sign-web-identity only when the stage deploys the web-identity vendor (webIdentity set).
  // subjects:write: each vend records the caller's request context (the subjects table).
  broker: [
    'logs',
    'bindings:read',
    'audit:write',
    'subjects:write',
    'sts:assume-targets',
    'kms:sign-web-identity',
  ],
  // The roles listing and simulate are audited (the roles revealed; an administrator's simulation).
  reader: ['logs', 'bindings:read', 'audit:write'],
  admin: [
    'logs',
    'bindings:read',
    'bindings:write',
    'audit:read',
    'audit:write',
    // What-if and the access review re-evaluate trust for the recorded subjects.
    'subjects:read',
    'iam:read-targets',
    'iam:read-target-policies',
    'iam:write-revocation-policies',
    // Only when target roles live in other accounts (revocationWriterRoles is then non-empty).
    'sts:assume-revocation-writers',
  ],
  // The trail routes: LookupEvents here, and in other accounts through their trail readers.
  auditor: ['logs', 'audit:read', 'cloudtrail:lookup', 'sts:assume-trail-readers'],
  basic: ['logs'],
};

/** The IAM reads of a binding write: the role, its inline and its attached policies. */
export const ROLE_READ_ACTIONS = [
  'iam:GetRole',
  'iam:ListRolePolicies',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
] as const;

/** The kill switch's writes: Tessera's managed inline deny policy on a target role. */
export const REVOCATION_WRITE_ACTIONS = ['iam:PutRolePolicy', 'iam:DeleteRolePolicy'] as const;

/**
 * The role another account's cross-account template creates so the admin function can write the
 * revocation policy on that account's Tessera role (IAM calls act in the caller's account).
 */
export const REVOCATION_WRITER_ROLE = 'tessera-revocation-writer';

/** Reading an attached managed policy's default version. */
export const POLICY_READ_ACTIONS = ['iam:GetPolicy', 'iam:GetPolicyVersion'] as const;

/** The STS actions a vend needs: assume, with session tags, stamping SourceIdentity. */
export const ASSUME_ACTIONS = [
  'sts:AssumeRole',
  'sts:TagSession',
  'sts:SetSourceIdentity',
] as const;

/** The identity policy of one execution role. */
export function rolePolicy(stage: Stage, kind: RoleKind): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: ROLE_GRANTS[kind]
      .filter((grant) => grant !== 'kms:sign-web-identity' || webIdentityOf(stage) !== null)
      .filter((grant) => grant !== 'sts:assume-trail-readers' || trailAccounts(stage).length > 0)
      .filter(
        (grant) =>
          grant !== 'sts:assume-revocation-writers' || revocationWriterRoles(stage).length > 0,
      )
      .map((grant) => statementFor(stage, kind, grant)),
  };
}

/** Every role that is deployed, by kind. */
export function rolePolicies(stage: Stage): Record<RoleKind, PolicyDocument> {
  return {
    broker: rolePolicy(stage, 'broker'),
    reader: rolePolicy(stage, 'reader'),
    admin: rolePolicy(stage, 'admin'),
    auditor: rolePolicy(stage, 'auditor'),
    basic: rolePolicy(stage, 'basic'),
  };
}

/** Lambda may run the functions as these roles; nobody else may assume them. */
export function lambdaTrustPolicy(): TrustPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'LambdaExecution',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: ['sts:AssumeRole'],
      },
    ],
  };
}

/** The roles the broker may assume: the configured ARNs, or the configured path in each account. */
export function targetRoleResources(stage: Stage): string[] {
  const targets = stage.targetRoles;
  if ('arns' in targets) return [...targets.arns];
  return targets.accounts.map(
    (account) => `arn:${stage.partition}:iam::${account}:role${targets.path}*`,
  );
}

/** The accounts of the target roles other than the broker's own. */
export function otherTargetAccounts(stage: Stage): string[] {
  const accounts = targetRoleResources(stage).map((arn) => arn.split(':')[4] ?? '');
  return [...new Set(accounts)].filter((a) => a !== stage.account).sort();
}

/** The revocation writer role in each other target account (cross-account template). */
export function revocationWriterRoles(stage: Stage): string[] {
  return otherTargetAccounts(stage).map(
    (account) => `arn:${stage.partition}:iam::${account}:role/${REVOCATION_WRITER_ROLE}`,
  );
}

/** The tables and indexes, as ARNs. Names of keys and indexes come from the broker's schema. */
export function tableResources(stage: Stage) {
  const bindings = tableName.bindings(stage);
  const audit = tableName.audit(stage);
  return {
    bindings: tableArn(stage, bindings),
    bindingsIndexes: [indexArn(stage, bindings, bindingsTable.byIdIndex.name)],
    audit: tableArn(stage, audit),
    subjects: tableArn(stage, tableName.subjects(stage)),
    auditIndexes: [
      indexArn(stage, audit, auditTable.byRoleIndex.name),
      indexArn(stage, audit, auditTable.byDayIndex.name),
      indexArn(stage, audit, auditTable.byBindingIndex.name),
      indexArn(stage, audit, auditTable.byResultDayIndex.name),
      indexArn(stage, audit, auditTable.byEventIdIndex.name),
      indexArn(stage, audit, auditTable.byUsernameIndex.name),
    ],
  };
}

/** What `dist/infra/targets.json` holds. */
export function targetsSummary(stage: Stage): { targetRoleArns: string[]; tableArns: string[] } {
  const tables = tableResources(stage);
  return {
    targetRoleArns: targetRoleResources(stage),
    tableArns: [
      tables.bindings,
      ...tables.bindingsIndexes,
      tables.audit,
      ...tables.auditIndexes,
      tables.subjects,
    ],
  };
}

function statementFor(stage: Stage, kind: RoleKind, grant: Grant): PolicyStatement {
  const tables = tableResources(stage);
  switch (grant) {
    case 'logs':
      return allow(
        'WriteOwnLogs',
        ['logs:CreateLogStream', 'logs:PutLogEvents'],
        logResources(stage, kind),
      );
    case 'bindings:read':
      return allow(
        'ReadBindings',
        ['dynamodb:GetItem', 'dynamodb:Query'],
        [tables.bindings, ...tables.bindingsIndexes],
      );
    case 'bindings:write':
      // Conditional single-item writes only (optimistic concurrency on `version`); no batch, no transactions.
      return allow('WriteBindings', ['dynamodb:PutItem', 'dynamodb:DeleteItem'], [tables.bindings]);
    case 'audit:read':
      return allow('ReadAudit', ['dynamodb:Query'], [tables.audit, ...tables.auditIndexes]);
    case 'audit:write':
      return allow('WriteAudit', ['dynamodb:PutItem'], [tables.audit]);
    case 'subjects:read':
      return allow('ReadSubjects', ['dynamodb:Query'], [tables.subjects]);
    case 'subjects:write':
      // One unconditional PutItem per vend (the last vend's context replaces the previous one).
      return allow('WriteSubjects', ['dynamodb:PutItem'], [tables.subjects]);
    case 'sts:assume-targets':
      return allow('AssumeTargetRoles', [...ASSUME_ACTIONS], targetRoleResources(stage));
    case 'kms:sign-web-identity':
      // The issuer's KMS key, by its alias; the key policy names the broker role too.
      return signStatement(stage);
    case 'iam:read-targets':
      // MaxSessionDuration, description and permission policies are read when a binding is
      // written (simulate's `check` evaluates them); a vend never calls IAM.
      return allow('ReadTargetRoles', [...ROLE_READ_ACTIONS], targetRoleResources(stage));
    case 'cloudtrail:lookup':
      // LookupEvents has no resource-level permissions (Service Authorization Reference): `*` is
      // the only resource it takes, and this is the only statement that names it.
      return allow('LookupTrailEvents', ['cloudtrail:LookupEvents'], ['*']);
    case 'sts:assume-trail-readers':
      return allow(
        'AssumeTrailReaders',
        ['sts:AssumeRole'],
        trailAccounts(stage).map((account) => trailReaderRoleArn(stage, account)),
      );
    case 'iam:write-revocation-policies':
      // The kill switch: Tessera's managed deny policy (PutRolePolicy/DeleteRolePolicy) on the
      // target roles, and nothing else. No other function may write IAM.
      return allow(
        'WriteRevocationPolicies',
        [...REVOCATION_WRITE_ACTIONS],
        targetRoleResources(stage),
      );
    case 'sts:assume-revocation-writers':
      return allow('AssumeRevocationWriters', ['sts:AssumeRole'], revocationWriterRoles(stage));
    case 'iam:read-target-policies':
      // The managed policies attached to target roles: AWS managed, and this account's own.
      return allow(
        'ReadAttachedPolicies',
        [...POLICY_READ_ACTIONS],
        [
          `arn:${stage.partition}:iam::aws:policy/*`,
          `arn:${stage.partition}:iam::${stage.account}:policy/*`,
        ],
      );
  }
}

/** The other accounts whose CloudTrail the trail routes search (the broker's own always). */
export function trailAccounts(stage: Stage): string[] {
  return stage.trail.accounts.filter((account) => account !== stage.account);
}

function logResources(stage: Stage, kind: RoleKind): string[] {
  return functionsOf(kind).map((fn) => logStreamsArn(stage, fn));
}

function functionsOf(kind: RoleKind): FunctionName[] {
  return functionNames().filter((fn) => FUNCTIONS[fn].role === kind);
}

function allow(
  Sid: string,
  Action: readonly string[],
  Resource: readonly string[],
): PolicyStatement {
  return { Sid, Effect: 'Allow', Action, Resource };
}
