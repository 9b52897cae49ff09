/**
 * Least privilege, asserted on the documents `npm run synth` writes (the same pure functions feed
 * the deploy): evaluated with Tessera's own IAM evaluator. Asserts what the roles cannot do, not
 * only what they can.
 */
import { readFileSync } from 'node:fs';
import { type EvaluationDecision, evaluate, type Finding, validatePolicy } from '@tessera/policy';
import { describe, expect, it } from 'vitest';
import config from '../../tessera.config.js';
import { ConfigError, resolveStage, type Stage } from '../config.js';
import { functionName, tableName } from '../naming.js';
import type { PolicyDocument } from '../permissions.js';
import { CROSS_ACCOUNT_TEMPLATE, synthesize } from '../synth.js';
import { exampleRoles } from '../target-roles.js';
import { dataEventsTrailOf, logBucketPolicy } from '../trail.js';

const production = resolveStage(config, 'production');
const dev = resolveStage(config, 'dev');
const files = synthesize(production);
const doc = (path: string) => {
  const value = files.get(path);
  if (value === undefined) throw new Error(`synth wrote no ${path}`);
  return value as PolicyDocument;
};

const broker = doc('broker-role-policy.json');
const reader = doc('reader-role-policy.json');
const admin = doc('admin-role-policy.json');
const basic = doc('basic-role-policy.json');
const auditor = doc('auditor-role-policy.json');

const ACCOUNT = production.account;
const APP_UPLOAD = `arn:aws:iam::${ACCOUNT}:role/tessera-production-app-upload`;
const CROSS_ACCOUNT = 'arn:aws:iam::444455556666:role/tessera-access';
const TRAIL_READER = 'arn:aws:iam::444455556666:role/tessera-trail-reader';
const AUDITOR_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/tessera-production-auditor/tessera-production-audit`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/Administrator`;
const BROKER_ROLE = `arn:aws:iam::${ACCOUNT}:role/tessera-production-broker`;
const BROKER_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/tessera-production-broker/tessera-production-credentials`;
const table = (stage: Stage, name: string) =>
  `arn:aws:dynamodb:${stage.region}:${stage.account}:table/${name}`;
const BINDINGS = table(production, tableName.bindings(production));
const AUDIT = table(production, tableName.audit(production));
const SUBJECTS = table(production, tableName.subjects(production));

/**
 * What the identity policy alone allows. `resourcePolicyKind: 'resource'`: for sts:AssumeRole on a
 * role ARN the kind would otherwise be `trust`, and a role without its trust policy trusts nobody.
 */
function identity(policy: PolicyDocument, action: string, resource: string): EvaluationDecision {
  return evaluate({
    request: { action, resource },
    identityPolicies: [policy],
    resourcePolicyKind: 'resource',
  }).decision;
}

describe('the broker role (the vend path)', () => {
  it.each([APP_UPLOAD, CROSS_ACCOUNT])(
    'may assume the configured role %s, with tags and SourceIdentity',
    (role) => {
      for (const action of ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']) {
        expect(identity(broker, action, role)).toBe('Allow');
      }
    },
  );

  it.each([
    OTHER_ROLE,
    'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole',
    `arn:aws:iam::${ACCOUNT}:role/tessera-production-broker`,
    `arn:aws:iam::${ACCOUNT}:role/tessera-production-admin`,
  ])('may not assume any other role (%s)', (role) => {
    expect(identity(broker, 'sts:AssumeRole', role)).toBe('ImplicitDeny');
  });

  it('reads bindings and writes audit events, nothing more', () => {
    expect(identity(broker, 'dynamodb:Query', BINDINGS)).toBe('Allow');
    expect(identity(broker, 'dynamodb:PutItem', AUDIT)).toBe('Allow');
    expect(identity(broker, 'dynamodb:PutItem', BINDINGS)).toBe('ImplicitDeny');
    expect(identity(broker, 'dynamodb:DeleteItem', BINDINGS)).toBe('ImplicitDeny');
    expect(identity(broker, 'dynamodb:Scan', BINDINGS)).toBe('ImplicitDeny');
    expect(identity(broker, 'dynamodb:Query', AUDIT)).toBe('ImplicitDeny');
    expect(identity(broker, 'dynamodb:DeleteTable', BINDINGS)).toBe('ImplicitDeny');
  });

  it.each([
    ['iam:PassRole', APP_UPLOAD],
    ['iam:GetRole', APP_UPLOAD],
    ['iam:CreateRole', OTHER_ROLE],
    ['iam:UpdateAssumeRolePolicy', APP_UPLOAD],
    ['s3:GetObject', `arn:aws:s3:::${production.examples?.uploadBucket}/uploads/alice/a.jpg`],
    ['s3:PutObject', `arn:aws:s3:::${production.examples?.uploadBucket}/uploads/alice/a.jpg`],
    ['kms:Decrypt', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
    ['sts:GetFederationToken', '*'],
  ])('cannot %s', (action, resource) => {
    expect(identity(broker, action, resource)).toBe('ImplicitDeny');
  });

  it('only logs to its own function log group', () => {
    const own = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/${functionName(production, 'credentials')}:log-stream:x`;
    const other = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/${functionName(production, 'admin-bindings')}:log-stream:x`;
    expect(identity(broker, 'logs:PutLogEvents', own)).toBe('Allow');
    expect(identity(broker, 'logs:PutLogEvents', other)).toBe('ImplicitDeny');
    expect(identity(broker, 'logs:CreateLogGroup', own)).toBe('ImplicitDeny');
  });
});

describe('a path-scoped target configuration (dev)', () => {
  const devBroker = synthesize(dev).get('broker-role-policy.json') as PolicyDocument;

  it('assumes roles under the configured path only', () => {
    expect(
      identity(
        devBroker,
        'sts:AssumeRole',
        `arn:aws:iam::${dev.account}:role/tessera-dev/readonly`,
      ),
    ).toBe('Allow');
    expect(
      identity(devBroker, 'sts:AssumeRole', `arn:aws:iam::${dev.account}:role/tessera-dev-evil`),
    ).toBe('ImplicitDeny');
    expect(identity(devBroker, 'sts:AssumeRole', `arn:aws:iam::${dev.account}:role/Admin`)).toBe(
      'ImplicitDeny',
    );
    expect(
      identity(devBroker, 'sts:AssumeRole', 'arn:aws:iam::111122223333:role/tessera-dev/readonly'),
    ).toBe('ImplicitDeny');
  });
});

describe('the other execution roles', () => {
  it('only the binding writer reads target roles with IAM, and only those', () => {
    expect(identity(admin, 'iam:GetRole', APP_UPLOAD)).toBe('Allow');
    expect(identity(admin, 'iam:GetRole', OTHER_ROLE)).toBe('ImplicitDeny');
    expect(identity(admin, 'iam:PassRole', APP_UPLOAD)).toBe('ImplicitDeny');
    expect(identity(admin, 'sts:AssumeRole', APP_UPLOAD)).toBe('ImplicitDeny');
    expect(identity(admin, 'dynamodb:PutItem', BINDINGS)).toBe('Allow');
    expect(identity(admin, 'dynamodb:Query', `${AUDIT}/index/byRole`)).toBe('Allow');
    // The role's permission policies, snapshotted onto the binding for simulate's `check`.
    for (const action of [
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
    ]) {
      expect(identity(admin, action, APP_UPLOAD)).toBe('Allow');
      expect(identity(admin, action, OTHER_ROLE)).toBe('ImplicitDeny');
    }
    const viewOnly = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';
    expect(identity(admin, 'iam:GetPolicyVersion', viewOnly)).toBe('Allow');
    expect(identity(admin, 'iam:GetPolicyVersion', `arn:aws:iam::${ACCOUNT}:policy/mine`)).toBe(
      'Allow',
    );
    expect(identity(admin, 'iam:GetPolicyVersion', 'arn:aws:iam::999999999999:policy/theirs')).toBe(
      'ImplicitDeny',
    );
    for (const write of [
      'iam:CreatePolicyVersion',
      'iam:AttachRolePolicy',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutUserPolicy',
      'iam:DeleteRole',
    ]) {
      expect(identity(admin, write, APP_UPLOAD)).toBe('ImplicitDeny');
    }
  });

  it('the kill switch: only the admin role writes inline policies, and on target roles only', () => {
    for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy']) {
      expect(identity(admin, action, APP_UPLOAD)).toBe('Allow');
      expect(identity(admin, action, CROSS_ACCOUNT)).toBe('Allow');
      for (const other of [
        OTHER_ROLE,
        BROKER_ROLE,
        `arn:aws:iam::${ACCOUNT}:role/tessera-production-admin`,
        'arn:aws:iam::444455556666:role/OrganizationAccountAccessRole',
      ]) {
        expect(identity(admin, action, other)).toBe('ImplicitDeny');
      }
      for (const policy of [broker, reader, auditor, basic]) {
        expect(identity(policy, action, APP_UPLOAD)).toBe('ImplicitDeny');
      }
    }
    // Another account's role is written through that account's revocation writer role.
    const writer = 'arn:aws:iam::444455556666:role/tessera-revocation-writer';
    expect(identity(admin, 'sts:AssumeRole', writer)).toBe('Allow');
    expect(identity(admin, 'sts:AssumeRole', CROSS_ACCOUNT)).toBe('ImplicitDeny');
    expect(
      identity(admin, 'sts:AssumeRole', `arn:aws:iam::${ACCOUNT}:role/tessera-revocation-writer`),
    ).toBe('ImplicitDeny');
    expect(identity(broker, 'sts:AssumeRole', writer)).toBe('ImplicitDeny');
  });

  it('the audit reader queries the audit table and its indexes, and nothing else', () => {
    for (const index of [
      'byRole',
      'byDay',
      'byBinding',
      'byResultDay',
      'byEventId',
      'byUsername',
    ]) {
      expect(identity(auditor, 'dynamodb:Query', `${AUDIT}/index/${index}`)).toBe('Allow');
    }
    expect(identity(auditor, 'dynamodb:Query', AUDIT)).toBe('Allow');
    expect(identity(auditor, 'dynamodb:Scan', AUDIT)).toBe('ImplicitDeny');
    expect(identity(auditor, 'dynamodb:PutItem', AUDIT)).toBe('ImplicitDeny');
    expect(identity(auditor, 'dynamodb:Query', BINDINGS)).toBe('ImplicitDeny');
    expect(identity(auditor, 'sts:AssumeRole', APP_UPLOAD)).toBe('ImplicitDeny');
    expect(identity(auditor, 'iam:GetRole', APP_UPLOAD)).toBe('ImplicitDeny');
  });

  it('the audit reader reads CloudTrail here and through the configured trail readers only', () => {
    expect(identity(auditor, 'cloudtrail:LookupEvents', '*')).toBe('Allow');
    expect(identity(auditor, 'sts:AssumeRole', TRAIL_READER)).toBe('Allow');
    for (const role of [
      'arn:aws:iam::999988887777:role/tessera-trail-reader',
      CROSS_ACCOUNT,
      `arn:aws:iam::${ACCOUNT}:role/tessera-trail-reader`,
    ]) {
      expect(identity(auditor, 'sts:AssumeRole', role)).toBe('ImplicitDeny');
    }
    for (const action of [
      'cloudtrail:StopLogging',
      'cloudtrail:DeleteTrail',
      'cloudtrail:PutEventSelectors',
      'cloudtrail:UpdateTrail',
    ]) {
      expect(identity(auditor, action, '*')).toBe('ImplicitDeny');
    }
    for (const policy of [broker, reader, admin, basic]) {
      expect(identity(policy, 'cloudtrail:LookupEvents', '*')).toBe('ImplicitDeny');
      expect(identity(policy, 'sts:AssumeRole', TRAIL_READER)).toBe('ImplicitDeny');
    }
    // dev names no other account: no AssumeRole statement at all.
    const devAuditor = synthesize(dev).get('auditor-role-policy.json') as PolicyDocument;
    expect(devAuditor.Statement.flatMap((st) => st.Action)).not.toContain('sts:AssumeRole');
  });

  it('the subjects table (personal data): the vend function writes it, only the admin function reads it', () => {
    expect(identity(broker, 'dynamodb:PutItem', SUBJECTS)).toBe('Allow');
    expect(identity(admin, 'dynamodb:Query', SUBJECTS)).toBe('Allow');
    for (const action of [
      'dynamodb:Query',
      'dynamodb:GetItem',
      'dynamodb:Scan',
      'dynamodb:DeleteItem',
    ]) {
      expect(identity(broker, action, SUBJECTS)).toBe('ImplicitDeny');
    }
    for (const action of ['dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:DeleteItem']) {
      expect(identity(admin, action, SUBJECTS)).toBe('ImplicitDeny');
    }
    for (const policy of [reader, auditor, basic]) {
      for (const action of ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:Scan']) {
        expect(identity(policy, action, SUBJECTS)).toBe('ImplicitDeny');
      }
    }
  });

  it('the roles listing / simulate and the health check cannot assume or write bindings', () => {
    for (const policy of [reader, basic]) {
      expect(identity(policy, 'sts:AssumeRole', APP_UPLOAD)).toBe('ImplicitDeny');
      expect(identity(policy, 'iam:GetRole', APP_UPLOAD)).toBe('ImplicitDeny');
      expect(identity(policy, 'dynamodb:PutItem', BINDINGS)).toBe('ImplicitDeny');
      expect(identity(policy, 'dynamodb:Query', AUDIT)).toBe('ImplicitDeny');
    }
    expect(identity(reader, 'dynamodb:Query', BINDINGS)).toBe('Allow');
    expect(identity(basic, 'dynamodb:Query', BINDINGS)).toBe('ImplicitDeny');
    // Their answers are audited (the roles revealed; an administrator's simulation).
    expect(identity(reader, 'dynamodb:PutItem', AUDIT)).toBe('Allow');
    expect(identity(basic, 'dynamodb:PutItem', AUDIT)).toBe('ImplicitDeny');
  });

  it.each([
    ['broker', broker],
    ['reader', reader],
    ['admin', admin],
    ['auditor', auditor],
    ['basic', basic],
  ])(
    '%s: valid, no wildcard action or resource, no IAM write but the kill switch, no PassRole',
    (name, policy) => {
      expect(
        validatePolicy(policy, { kind: 'identity' }).filter((f) => f.severity === 'error'),
      ).toEqual([]);
      const iamActions =
        name === 'admin'
          ? /^(?!iam:)|^iam:(GetRole|ListRolePolicies|GetRolePolicy|ListAttachedRolePolicies|GetPolicy|GetPolicyVersion|PutRolePolicy|DeleteRolePolicy)$/
          : /^(?!iam:)|^iam:(GetRole|ListRolePolicies|GetRolePolicy|ListAttachedRolePolicies|GetPolicy|GetPolicyVersion)$/;
      for (const statement of policy.Statement) {
        expect(statement.Effect).toBe('Allow');
        for (const action of statement.Action) {
          expect(action).not.toMatch(/\*/);
          expect(action).toMatch(iamActions);
        }
        // LookupEvents has no resource-level permissions: its statement alone names `*`.
        if (statement.Action.join() === 'cloudtrail:LookupEvents') continue;
        for (const resource of statement.Resource) expect(resource).not.toBe('*');
      }
    },
  );
});

describe('target role trust', () => {
  const trust = files.get('trust/app-upload.json') as object;
  const assume = (principal: string, context: Record<string, string>, action = 'sts:AssumeRole') =>
    evaluate({
      request: { action, resource: APP_UPLOAD, principal: { type: 'AWS', id: principal }, context },
      resourcePolicy: trust,
    }).decision;

  it('trusts the broker role, with a SourceIdentity', () => {
    expect(assume(BROKER_SESSION, { 'sts:SourceIdentity': 'alice' })).toBe('Allow');
    expect(assume(BROKER_SESSION, { 'sts:SourceIdentity': 'alice' }, 'sts:TagSession')).toBe(
      'Allow',
    );
    expect(assume(BROKER_SESSION, { 'sts:SourceIdentity': 'alice' }, 'sts:SetSourceIdentity')).toBe(
      'Allow',
    );
  });

  it('denies a session without SourceIdentity, and any other principal', () => {
    expect(assume(BROKER_SESSION, {})).toBe('ImplicitDeny');
    expect(
      assume(`arn:aws:sts::${ACCOUNT}:assumed-role/tessera-production-admin/x`, {
        'sts:SourceIdentity': 'alice',
      }),
    ).toBe('ImplicitDeny');
    expect(assume(`arn:aws:iam::${ACCOUNT}:root`, { 'sts:SourceIdentity': 'alice' })).toBe(
      'ImplicitDeny',
    );
  });
});

describe('the cross-account template', () => {
  const template = files.get(CROSS_ACCOUNT_TEMPLATE) as CfnTemplateShape;
  const EXTERNAL_ID = 'tessera-0f3a9c';
  const trust = resolveRefs(
    template.Resources.TesseraAccessRole.Properties.AssumeRolePolicyDocument,
    {
      BrokerRoleArn: template.Parameters.BrokerRoleArn.Default,
      ExternalId: EXTERNAL_ID,
    },
  );
  const assume = (principal: string, context: Record<string, string>) =>
    evaluate({
      request: {
        action: 'sts:AssumeRole',
        resource: CROSS_ACCOUNT,
        principal: { type: 'AWS', id: principal },
        context,
      },
      identityPolicies: [broker],
      resourcePolicy: trust,
      crossAccount: true,
    }).decision;

  it('defaults to this stage broker role', () => {
    expect(template.Parameters.BrokerRoleArn.Default).toBe(BROKER_ROLE);
  });

  it('lets the broker in with the ExternalId and a SourceIdentity', () => {
    expect(
      assume(BROKER_SESSION, { 'sts:ExternalId': EXTERNAL_ID, 'sts:SourceIdentity': 'alice' }),
    ).toBe('Allow');
  });

  it('denies a wrong or missing ExternalId, a missing SourceIdentity, another principal', () => {
    expect(
      assume(BROKER_SESSION, { 'sts:ExternalId': 'guess', 'sts:SourceIdentity': 'alice' }),
    ).toBe('ImplicitDeny');
    expect(assume(BROKER_SESSION, { 'sts:SourceIdentity': 'alice' })).toBe('ImplicitDeny');
    expect(assume(BROKER_SESSION, { 'sts:ExternalId': EXTERNAL_ID })).toBe('ImplicitDeny');
    const stranger = 'arn:aws:sts::999988887777:assumed-role/tessera-production-broker/x';
    expect(assume(stranger, { 'sts:ExternalId': EXTERNAL_ID, 'sts:SourceIdentity': 'alice' })).toBe(
      'ImplicitDeny',
    );
  });
});

describe('the trail reader of the cross-account template', () => {
  const template = files.get(CROSS_ACCOUNT_TEMPLATE) as CfnTemplateShape;
  const reader = template.Resources.TesseraTrailReaderRole.Properties;
  const trust = resolveRefs(reader.AssumeRolePolicyDocument, {
    TrailReaderPrincipalArn: template.Parameters.TrailReaderPrincipalArn.Default,
  });
  const permissions = reader.Policies[0]!.PolicyDocument as PolicyDocument;
  const assume = (principal: string) =>
    evaluate({
      request: {
        action: 'sts:AssumeRole',
        resource: TRAIL_READER,
        principal: { type: 'AWS', id: principal },
      },
      identityPolicies: [auditor],
      resourcePolicy: trust,
      crossAccount: true,
    }).decision;

  it('is named as the audit function expects it, and lets only the audit role in', () => {
    expect(reader.RoleName).toBe('tessera-trail-reader');
    expect(template.Parameters.TrailReaderPrincipalArn.Default).toBe(
      `arn:aws:iam::${ACCOUNT}:role/tessera-production-auditor`,
    );
    expect(assume(AUDITOR_SESSION)).toBe('Allow');
    expect(assume(BROKER_SESSION)).toBe('ImplicitDeny');
    expect(assume('arn:aws:sts::999988887777:assumed-role/tessera-production-auditor/x')).toBe(
      'ImplicitDeny',
    );
  });

  it('may call LookupEvents and nothing else', () => {
    expect(errors(validatePolicy(trust, { kind: 'trust' }))).toEqual([]);
    expect(errors(validatePolicy(permissions, { kind: 'identity' }))).toEqual([]);
    expect(identity(permissions, 'cloudtrail:LookupEvents', '*')).toBe('Allow');
    for (const action of ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 's3:GetObject']) {
      expect(identity(permissions, action, '*')).toBe('ImplicitDeny');
    }
  });
});

describe('the data-events trail', () => {
  const plan = dataEventsTrailOf(production)!;
  const policy = logBucketPolicy(production, plan);
  const write = (
    principal: { type: 'Service' | 'AWS'; id: string },
    context: Record<string, string>,
    key = `AWSLogs/${ACCOUNT}/CloudTrail/x.json.gz`,
  ) =>
    evaluate({
      request: {
        action: 's3:PutObject',
        resource: `arn:aws:s3:::${plan.logBucket}/${key}`,
        principal,
        context: { 'aws:SecureTransport': 'true', ...context },
      },
      resourcePolicy: policy,
    }).decision;

  it('records the example upload bucket, into a log bucket only this trail writes to', () => {
    expect(plan).toEqual({
      trailName: 'tessera-production-data-events',
      trailArn: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/tessera-production-data-events`,
      logBucket: `tessera-production-data-events-${ACCOUNT}`,
      watchedBucket: production.examples?.uploadBucket,
    });
    expect(errors(validatePolicy(policy, { kind: 'resource' }))).toEqual([]);
    const cloudtrail = { type: 'Service' as const, id: 'cloudtrail.amazonaws.com' };
    const own = { 'aws:SourceArn': plan.trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' };
    expect(write(cloudtrail, own)).toBe('Allow');
    expect(
      write(cloudtrail, {
        ...own,
        'aws:SourceArn': 'arn:aws:cloudtrail:eu-west-1:999988887777:trail/x',
      }),
    ).toBe('ImplicitDeny');
    expect(write(cloudtrail, own, 'elsewhere/x')).toBe('ImplicitDeny');
    expect(write({ type: 'AWS', id: BROKER_SESSION }, own)).toBe('ImplicitDeny');
    expect(write(cloudtrail, { ...own, 'aws:SecureTransport': 'false' })).toBe('ExplicitDeny');
  });

  it('is refused without example bucket to record', () => {
    expect(() => dataEventsTrailOf({ ...production, examples: null })).toThrow(ConfigError);
    expect(dataEventsTrailOf(dev)).toBeNull();
  });
});

describe("the cross-account template's revocation writer", () => {
  const template = files.get(CROSS_ACCOUNT_TEMPLATE) as CfnTemplateShape;
  const writer = template.Resources.TesseraRevocationWriterRole.Properties;
  const ADMIN_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/tessera-production-admin/x`;
  const WRITER = 'arn:aws:iam::444455556666:role/tessera-revocation-writer';
  const trust = resolveRefs(writer.AssumeRolePolicyDocument, {
    AdminRoleArn: template.Parameters.AdminRoleArn.Default,
  });
  const policy = JSON.parse(
    JSON.stringify(writer.Policies[0]?.PolicyDocument).replace(
      '{"Fn::GetAtt":["TesseraAccessRole","Arn"]}',
      JSON.stringify(CROSS_ACCOUNT),
    ),
  );

  it('is the role the admin function assumes, and only it may', () => {
    expect(writer.RoleName).toBe('tessera-revocation-writer');
    expect(template.Parameters.AdminRoleArn.Default).toBe(
      `arn:aws:iam::${ACCOUNT}:role/tessera-production-admin`,
    );
    const assume = (principal: string) =>
      evaluate({
        request: {
          action: 'sts:AssumeRole',
          resource: WRITER,
          principal: { type: 'AWS', id: principal },
        },
        identityPolicies: [admin],
        resourcePolicy: trust,
        crossAccount: true,
      }).decision;
    expect(assume(ADMIN_SESSION)).toBe('Allow');
    expect(assume(BROKER_SESSION)).toBe('ImplicitDeny');
  });

  it('grants exactly PutRolePolicy and DeleteRolePolicy on the Tessera role', () => {
    const may = (action: string, resource: string) =>
      evaluate({ request: { action, resource }, identityPolicies: [policy] }).decision;
    expect(may('iam:PutRolePolicy', CROSS_ACCOUNT)).toBe('Allow');
    expect(may('iam:DeleteRolePolicy', CROSS_ACCOUNT)).toBe('Allow');
    expect(may('iam:PutRolePolicy', 'arn:aws:iam::444455556666:role/Admin')).toBe('ImplicitDeny');
    expect(may('iam:AttachRolePolicy', CROSS_ACCOUNT)).toBe('ImplicitDeny');
    expect(may('iam:UpdateAssumeRolePolicy', CROSS_ACCOUNT)).toBe('ImplicitDeny');
    expect(may('sts:AssumeRole', CROSS_ACCOUNT)).toBe('ImplicitDeny');
  });
});

interface CfnTemplateShape {
  Parameters: {
    BrokerRoleArn: { Default: string };
    TrailReaderPrincipalArn: { Default: string };
    AdminRoleArn: { Default: string };
  };
  Resources: {
    TesseraAccessRole: { Properties: { AssumeRolePolicyDocument: unknown } };
    TesseraRevocationWriterRole: {
      Properties: {
        RoleName: string;
        AssumeRolePolicyDocument: unknown;
        Policies: { PolicyDocument: unknown }[];
      };
    };
    TesseraTrailReaderRole: {
      Properties: {
        RoleName: string;
        AssumeRolePolicyDocument: unknown;
        Policies: { PolicyName: string; PolicyDocument: unknown }[];
      };
    };
  };
}

/** Substitutes `{ "Ref": P }` with parameter values, as CloudFormation would; any other intrinsic fails. */
function resolveRefs(value: unknown, params: Record<string, string>): object {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const entries = Object.entries(v);
    const [first] = entries;
    if (
      entries.length === 1 &&
      first !== undefined &&
      (first[0] === 'Ref' || first[0].startsWith('Fn::'))
    ) {
      const resolved = first[0] === 'Ref' ? params[String(first[1])] : undefined;
      if (resolved === undefined) throw new Error(`cannot resolve ${JSON.stringify(v)}`);
      return resolved;
    }
    return Object.fromEntries(entries.map(([k, item]) => [k, walk(item)]));
  };
  return walk(value) as object;
}

describe('the example target roles', () => {
  const [upload] = exampleRoles(production);
  const bucket = production.examples?.uploadBucket;
  const put = (key: string, sub: string | undefined, action = 's3:PutObject') =>
    evaluate({
      request: {
        action,
        resource: `arn:aws:s3:::${bucket}/${key}`,
        context: sub === undefined ? {} : { 'aws:PrincipalTag/sub': sub },
      },
      identityPolicies: upload?.inlinePolicy ? [upload.inlinePolicy] : [],
    }).decision;

  it('app upload: a session tagged sub=alice writes under uploads/alice/ only', () => {
    expect(put('uploads/alice/photo.jpg', 'alice')).toBe('Allow');
    expect(put('uploads/bob/photo.jpg', 'alice')).toBe('ImplicitDeny');
    expect(put('photo.jpg', 'alice')).toBe('ImplicitDeny');
    expect(put('uploads/alice/photo.jpg', undefined)).toBe('ImplicitDeny');
    expect(put('uploads/alice/photo.jpg', 'alice', 's3:GetObject')).toBe('ImplicitDeny');
  });

  it('the local stack seeds the same app-upload role (on its own bucket): same decisions', () => {
    const seededConfig = new URL('../../packages/local/tessera.local.json', import.meta.url);
    const local = JSON.parse(readFileSync(seededConfig, 'utf8')) as {
      roles: { name: string; policies: Record<string, object> }[];
    };
    const policies = Object.values(local.roles.find((r) => r.name === 'app-upload')!.policies);
    for (const key of [
      'uploads/alice/photo.jpg',
      'uploads/bob/photo.jpg',
      'photo.jpg',
      'uploads/alice',
    ]) {
      for (const sub of ['alice', undefined]) {
        for (const action of ['s3:PutObject', 's3:GetObject']) {
          const seeded = evaluate({
            request: {
              action,
              resource: `arn:aws:s3:::tessera-local-media/${key}`,
              context: sub === undefined ? {} : { 'aws:PrincipalTag/sub': sub },
            },
            identityPolicies: policies,
          }).decision;
          expect(seeded, `${action} ${key} sub=${sub}`).toBe(put(key, sub, action));
        }
      }
    }
  });

  it('every trust policy and role policy is valid IAM', () => {
    for (const role of exampleRoles(production)) {
      expect(errors(validatePolicy(role.trustPolicy, { kind: 'trust' }))).toEqual([]);
      if (role.inlinePolicy)
        expect(errors(validatePolicy(role.inlinePolicy, { kind: 'identity' }))).toEqual([]);
    }
    const template = files.get(CROSS_ACCOUNT_TEMPLATE) as CfnTemplateShape;
    const trust = resolveRefs(
      template.Resources.TesseraAccessRole.Properties.AssumeRolePolicyDocument,
      {
        BrokerRoleArn: BROKER_ROLE,
        ExternalId: 'tessera-0f3a9c',
      },
    );
    expect(errors(validatePolicy(trust, { kind: 'trust' }))).toEqual([]);
  });
});

function errors(findings: readonly Finding[]): readonly Finding[] {
  return findings.filter((f) => f.severity === 'error');
}
