/**
 * Target roles: what the broker assumes on a caller's behalf. Pure documents:
 * - the trust policy every target role carries (trusts only the broker role, requires
 *   SourceIdentity, and, across accounts, an ExternalId);
 * - the example roles for the three jobs, created in the broker's account when configured;
 * - the standalone CloudFormation template another account deploys to let the broker in.
 */
import { ConfigError, type Stage, type WebIdentityConfig } from './config.js';
import {
  auditorRoleArn,
  brokerRoleArn,
  prefix,
  roleArn,
  roleName,
  TRAIL_READER_ROLE,
} from './naming.js';
import type { PolicyDocument, TrustPolicyDocument } from './permissions.js';
import {
  REVOCATION_WRITE_ACTIONS,
  REVOCATION_WRITER_ROLE,
  targetRoleResources,
} from './permissions.js';
import {
  issuerUrl,
  oidcProviderArn,
  webIdentityOf,
  webIdentityTrustPolicy,
} from './web-identity.js';

/** The session tag the app-upload binding sets from the verified `sub` claim. */
export const SUBJECT_TAG = 'sub';

/** One hour: the role-chaining cap, which bounds every session the broker vends anyway. */
export const TARGET_MAX_SESSION_SECONDS = 3600;

/**
 * Trust the broker role only. AssumeRole requires a SourceIdentity (so every CloudTrail event of
 * the session names the person) and, when given, the ExternalId; the companion statement lets the
 * broker attach session tags and set that SourceIdentity.
 */
export function targetTrustPolicy(
  brokerRole: string,
  externalId: string | null,
): TrustPolicyDocument {
  const requireSourceIdentity = { Null: { 'sts:SourceIdentity': 'false' } };
  const assumeCondition =
    externalId === null
      ? requireSourceIdentity
      : { ...requireSourceIdentity, StringEquals: { 'sts:ExternalId': externalId } };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TesseraBrokerAssumes',
        Effect: 'Allow',
        Principal: { AWS: brokerRole },
        Action: ['sts:AssumeRole'],
        Condition: assumeCondition,
      },
      {
        Sid: 'TesseraBrokerTagsAndStampsIdentity',
        Effect: 'Allow',
        Principal: { AWS: brokerRole },
        Action: ['sts:TagSession', 'sts:SetSourceIdentity'],
        Condition: requireSourceIdentity,
      },
    ],
  };
}

export type ExampleRoleKey = 'app-upload' | 'employee-readonly' | 'employee-workday';

/** AWS's ceiling for a role's MaxSessionDuration: what a web-identity session may reach. */
export const WEB_IDENTITY_MAX_SESSION_SECONDS = 43_200;

/**
 * The `sub` pattern the example web-identity role accepts: users of this stage's pool. A pool this
 * app creates is known only at deploy: `{{UserPoolId}}` is replaced with its id then.
 */
export function poolSubjectPattern(stage: Stage): string {
  const pool = stage.userPool.kind === 'existing' ? stage.userPool.userPoolId : '{{UserPoolId}}';
  return `${pool}|*`;
}

export interface ExampleRole {
  readonly key: ExampleRoleKey;
  readonly name: string;
  readonly path: string;
  readonly arn: string;
  readonly description: string;
  readonly trustPolicy: TrustPolicyDocument;
  /** The role's own permissions, inline. */
  readonly inlinePolicy: PolicyDocument | null;
  readonly managedPolicyArns: readonly string[];
  readonly maxSessionDuration: number;
}

/**
 * The in-account example roles for jobs 1 and 2 (job 3's role lives in another account: see
 * `crossAccountTemplate`). Each must be one of the configured target roles, or the broker could
 * not assume it: that is a configuration error, not a silent fix.
 */
export function exampleRoles(stage: Stage): ExampleRole[] {
  if (stage.examples === null) return [];
  const path = 'path' in stage.targetRoles ? stage.targetRoles.path : '/';
  const trustPolicy = targetTrustPolicy(brokerRoleArn(stage), null);
  const roles: ExampleRole[] = [
    {
      key: 'app-upload',
      ...named(stage, 'app-upload', path),
      description: 'Tessera job 1: app users upload to uploads/<their sub>/ of one bucket',
      trustPolicy,
      inlinePolicy: appUploadPolicy(stage, stage.examples.uploadBucket),
      managedPolicyArns: [],
      maxSessionDuration: TARGET_MAX_SESSION_SECONDS,
    },
    {
      key: 'employee-readonly',
      ...named(stage, 'employee-readonly', path),
      description: 'Tessera job 2: federated employees, view-only (no data reads)',
      trustPolicy,
      inlinePolicy: null,
      managedPolicyArns: [`arn:${stage.partition}:iam::aws:policy/job-function/ViewOnlyAccess`],
      maxSessionDuration: TARGET_MAX_SESSION_SECONDS,
    },
  ];
  assertCovered(stage, roles);
  const webIdentity = webIdentityOf(stage);
  if (webIdentity !== null) roles.push(workdayRole(stage, webIdentity, path));
  return roles;
}

/**
 * Job 2 for a working day: the same view-only role, assumed through the web-identity vendor
 * (AssumeRoleWithWebIdentity, not role chaining) for up to 12 hours. It trusts Tessera's OIDC
 * provider only, with conditions on aud and sub; the broker role cannot assume it (nor needs to).
 */
function workdayRole(stage: Stage, config: WebIdentityConfig, path: string): ExampleRole {
  return {
    key: 'employee-workday',
    ...named(stage, 'employee-workday', path),
    description:
      'Tessera job 2, a working day: view-only, up to 12 h through the web-identity vendor',
    trustPolicy: webIdentityTrustPolicy(
      oidcProviderArn(stage, config),
      config,
      poolSubjectPattern(stage),
    ),
    inlinePolicy: null,
    managedPolicyArns: [`arn:${stage.partition}:iam::aws:policy/job-function/ViewOnlyAccess`],
    maxSessionDuration: WEB_IDENTITY_MAX_SESSION_SECONDS,
  };
}

/**
 * ABAC: the role itself only allows `uploads/${aws:PrincipalTag/sub}/*`, so even a binding whose
 * session policy were too wide could not reach another user's prefix.
 */
function appUploadPolicy(stage: Stage, bucket: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'UploadToOwnPrefix',
        Effect: 'Allow',
        Action: ['s3:PutObject'],
        Resource: [
          `arn:${stage.partition}:s3:::${bucket}/uploads/\${aws:PrincipalTag/${SUBJECT_TAG}}/*`,
        ],
      },
    ],
  };
}

function named(stage: Stage, key: ExampleRoleKey, path: string) {
  const name = `${prefix(stage)}-${key}`;
  return { name, path, arn: roleArn(stage, name, path) };
}

function assertCovered(stage: Stage, roles: readonly ExampleRole[]): void {
  const targets = targetRoleResources(stage);
  const uncovered = roles.filter((role) => !targets.some((t) => arnMatches(t, role.arn)));
  if (uncovered.length === 0) return;
  throw new ConfigError(
    uncovered.map((role) => ({
      code: 'NotCovered',
      pointer: `/stages/${stage.name}/targetRoles`,
      message: `example role ${role.arn} is not a configured target role; add it (or set examples: null)`,
    })),
  );
}

/** `arn` equals the pattern, or the pattern ends in `*` and `arn` starts with the rest. */
function arnMatches(pattern: string, arn: string): boolean {
  return pattern.endsWith('*') ? arn.startsWith(pattern.slice(0, -1)) : pattern === arn;
}

/** A CloudFormation template, as JSON. */
export interface CfnTemplate {
  readonly AWSTemplateFormatVersion: '2010-09-09';
  readonly Description: string;
  readonly Parameters: Record<string, Record<string, unknown>>;
  readonly Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  readonly Outputs: Record<string, { Description: string; Value: unknown }>;
}

/**
 * Job 3: the role another account deploys. It trusts this stage's broker role, requires the
 * ExternalId agreed with the broker's operators and a SourceIdentity, and carries whatever managed
 * policies the account chooses (default: view-only). Beside it, the trail reader: the audit
 * function's role may call CloudTrail LookupEvents there (the trails of grants in that account);
 * and the kill switch's writer: a role only this stage's admin role may assume, allowed exactly
 * iam:PutRolePolicy and iam:DeleteRolePolicy on that Tessera role (the revocation policy).
 */
export function crossAccountTemplate(stage: Stage): CfnTemplate {
  const trust = targetTrustPolicy('{{BrokerRoleArn}}', '{{ExternalId}}');
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Lets the Tessera broker (${prefix(stage)}) assume a role in this account, with an ExternalId and a SourceIdentity.`,
    Parameters: {
      BrokerRoleArn: {
        Type: 'String',
        Default: brokerRoleArn(stage),
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
        Description: 'The Tessera broker execution role (the only principal this role trusts).',
      },
      ExternalId: {
        Type: 'String',
        NoEcho: true,
        MinLength: 2,
        MaxLength: 1224,
        AllowedPattern: '^[\\w+=,.@:/-]+$',
        Description: 'The ExternalId set on the binding for this role in Tessera.',
      },
      AdminRoleArn: {
        Type: 'String',
        Default: roleArn(stage, roleName(stage, 'admin')),
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
        Description:
          "The Tessera admin function's execution role: it writes the revocation policy (kill switch).",
      },
      RoleName: {
        Type: 'String',
        Default: 'tessera-access',
        AllowedPattern: '^[\\w+=,.@-]{1,64}$',
      },
      ManagedPolicyArns: {
        Type: 'CommaDelimitedList',
        Default: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
        Description: 'What the role may do in this account.',
      },
      TrailReaderPrincipalArn: {
        Type: 'String',
        Default: auditorRoleArn(stage),
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
        Description:
          "Tessera's audit function role: may read this account's CloudTrail (LookupEvents) through the trail reader role.",
      },
    },
    Resources: {
      TesseraAccessRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          Description: 'Assumed by the Tessera credential broker on behalf of signed-in people',
          MaxSessionDuration: TARGET_MAX_SESSION_SECONDS,
          AssumeRolePolicyDocument: withRefs(trust, ['BrokerRoleArn', 'ExternalId']),
          ManagedPolicyArns: { Ref: 'ManagedPolicyArns' },
        },
      },
      TesseraTrailReaderRole: trailReaderResource(),
      TesseraRevocationWriterRole: revocationWriterResource(),
    },
    Outputs: {
      RoleArn: {
        Description: 'Add this ARN to targetRoles in tessera.config.ts and to the binding',
        Value: { 'Fn::GetAtt': ['TesseraAccessRole', 'Arn'] },
      },
      TrailReaderRoleArn: {
        Description: 'Add this account to trail.accounts in tessera.config.ts',
        Value: { 'Fn::GetAtt': ['TesseraTrailReaderRole', 'Arn'] },
      },
    },
  };
}

/** The trail reader's trust: the audit function's role only. */
export function trailReaderTrustPolicy(principalArn: string) {
  return {
    Version: '2012-10-17' as const,
    Statement: [
      {
        Sid: 'TesseraAuditReadsTrail',
        Effect: 'Allow' as const,
        Principal: { AWS: principalArn },
        Action: ['sts:AssumeRole'],
      },
    ],
  };
}

/** What the trail reader may do: LookupEvents (no resource-level permissions), nothing else. */
export const TRAIL_READER_POLICY = {
  Version: '2012-10-17' as const,
  Statement: [
    {
      Sid: 'LookupEvents',
      Effect: 'Allow' as const,
      Action: ['cloudtrail:LookupEvents'],
      Resource: ['*'],
    },
  ],
};

/**
 * The trail reader of the cross-account template: lets the audit function's role (the trail
 * routes) call LookupEvents in this account, so the trail of a grant there can be followed.
 */
function trailReaderResource(): CfnTemplate['Resources'][string] {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: TRAIL_READER_ROLE,
      Description: "Lets Tessera's audit function read this account's CloudTrail (LookupEvents)",
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: withRefs(trailReaderTrustPolicy('{{TrailReaderPrincipalArn}}'), [
        'TrailReaderPrincipalArn',
      ]),
      Policies: [{ PolicyName: 'lookup-events', PolicyDocument: TRAIL_READER_POLICY }],
    },
  };
}

/**
 * The kill switch's writer in another account: trusted by the admin role alone, allowed exactly
 * PutRolePolicy / DeleteRolePolicy on the Tessera role of the same template.
 */
function revocationWriterResource() {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: REVOCATION_WRITER_ROLE,
      Description: "Tessera's admin function writes its revocation policy on the Tessera role",
      MaxSessionDuration: TARGET_MAX_SESSION_SECONDS,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'TesseraAdminWritesRevocations',
            Effect: 'Allow',
            Principal: { AWS: { Ref: 'AdminRoleArn' } },
            Action: ['sts:AssumeRole'],
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'tessera-revocation-policy',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'WriteRevocationPolicy',
                Effect: 'Allow',
                Action: [...REVOCATION_WRITE_ACTIONS],
                Resource: [{ 'Fn::GetAtt': ['TesseraAccessRole', 'Arn'] }],
              },
            ],
          },
        },
      ],
    },
  };
}

/** Replaces the `{{Name}}` placeholders of a document with `{ "Ref": "Name" }`. */
function withRefs(document: unknown, names: readonly string[]): unknown {
  if (typeof document === 'string') {
    const name = /^\{\{(\w+)\}\}$/.exec(document)?.[1];
    return name !== undefined && names.includes(name) ? { Ref: name } : document;
  }
  if (Array.isArray(document)) return document.map((item) => withRefs(item, names));
  if (document !== null && typeof document === 'object') {
    return Object.fromEntries(Object.entries(document).map(([k, v]) => [k, withRefs(v, names)]));
  }
  return document;
}

/**
 * Job 3 with the web-identity vendor: another account creates Tessera's OIDC provider (the issuer
 * and audience of this stage, no thumbprint: see infra/web-identity.ts) and a role trusting it with
 * conditions on aud and sub, for sessions up to the role's MaxSessionDuration (default 12 h).
 */
export function crossAccountWebIdentityTemplate(
  stage: Stage,
  config: WebIdentityConfig,
): CfnTemplate {
  const trust = webIdentityTrustPolicy('{{ProviderArn}}', config, '{{SubjectPattern}}');
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Lets people signed in to Tessera (${prefix(stage)}) assume a role in this account through Tessera's OIDC issuer (AssumeRoleWithWebIdentity).`,
    Parameters: {
      SubjectPattern: {
        Type: 'String',
        Default: poolSubjectPattern(stage),
        AllowedPattern: '^[\\w-]+\\|[\\w*?-]+$',
        Description:
          'Who may assume the role: <user pool id>|<user sub>, wildcards allowed after the |.',
      },
      RoleName: {
        Type: 'String',
        Default: 'tessera-workday',
        AllowedPattern: '^[\\w+=,.@-]{1,64}$',
      },
      MaxSessionDuration: {
        Type: 'Number',
        Default: WEB_IDENTITY_MAX_SESSION_SECONDS,
        MinValue: 3600,
        MaxValue: 43200,
      },
      ManagedPolicyArns: {
        Type: 'CommaDelimitedList',
        Default: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
        Description: 'What the role may do in this account.',
      },
      TrailReaderPrincipalArn: {
        Type: 'String',
        Default: auditorRoleArn(stage),
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
        Description:
          "Tessera's audit function role: may read this account's CloudTrail (LookupEvents) through the trail reader role.",
      },
    },
    Resources: {
      TesseraOidcProvider: {
        Type: 'AWS::IAM::OIDCProvider',
        Properties: { Url: issuerUrl(config), ClientIdList: [config.audience] },
      },
      TesseraWorkdayRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { Ref: 'RoleName' },
          Description: 'Assumed with a Tessera web-identity token on behalf of a signed-in person',
          MaxSessionDuration: { Ref: 'MaxSessionDuration' },
          AssumeRolePolicyDocument: withRefs(
            withGetAtt(trust, 'ProviderArn', ['TesseraOidcProvider', 'Arn']),
            ['SubjectPattern'],
          ),
          ManagedPolicyArns: { Ref: 'ManagedPolicyArns' },
        },
      },
      TesseraTrailReaderRole: trailReaderResource(),
    },
    Outputs: {
      RoleArn: {
        Description: 'Add a binding with "vendor": "web-identity" for this ARN',
        Value: { 'Fn::GetAtt': ['TesseraWorkdayRole', 'Arn'] },
      },
    },
  };
}

/** Replaces `{{name}}` strings with `{"Fn::GetAtt": [resource, attribute]}`. */
function withGetAtt(document: unknown, name: string, getAtt: readonly [string, string]): unknown {
  if (document === `{{${name}}}`) return { 'Fn::GetAtt': [...getAtt] };
  if (Array.isArray(document)) return document.map((item) => withGetAtt(item, name, getAtt));
  if (document !== null && typeof document === 'object') {
    return Object.fromEntries(
      Object.entries(document).map(([k, v]) => [k, withGetAtt(v, name, getAtt)]),
    );
  }
  return document;
}
