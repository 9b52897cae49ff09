/**
 * Runs `sst.config.ts` — `app()` and `run()` — against recording stand-ins of the SST components
 * and asserts the declared resources: tables and keys, TTL, retention, functions (runtime,
 * architecture, bundling, roles, environment), routes, CORS, throttling, and that every role is
 * deployed with exactly the policy document `npm run synth` writes.
 */

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  auditTable,
  bindingsTable,
  subjectsTable,
} from '../../packages/broker/src/adapters/dynamodb-schema.js';
import { loadConfig } from '../../packages/functions/src/config.js';
import config from '../../tessera.config.js';
import { resolveStage, type StageName } from '../config.js';
import { deployedRoutes, FUNCTIONS, functionNames, ROLE_KINDS } from '../functions.js';
import { synthesize } from '../synth.js';
import { type Args, installStandIns, type Recording } from './sst-stand-ins.js';

interface SstConfig {
  app(input: { stage: string }): Promise<Args>;
  run(): Promise<Args>;
}

async function deployed(
  stageName: StageName,
): Promise<{ app: Args; outputs: Args; recording: Recording }> {
  const stage = resolveStage(config, stageName);
  const recording = installStandIns({
    name: stageName,
    region: stage.region,
    account: stage.account,
  });
  const sstConfig = (await import('../../sst.config.js')).default as unknown as SstConfig;
  const app = await sstConfig.app({ stage: stageName });
  const outputs = await sstConfig.run();
  return { app, outputs, recording };
}

const production = await deployed('production');
const dev = await deployed('dev');

describe('app settings', () => {
  it('production retains data, refuses sst remove, and is pinned to its account and region', () => {
    expect(production.app).toMatchObject({
      name: 'tessera',
      home: 'aws',
      removal: 'retain',
      protect: true,
      providers: { aws: { region: 'eu-west-1', allowedAccountIds: ['111122223333'] } },
    });
  });

  it('dev is removable', () => {
    expect(dev.app).toMatchObject({ removal: 'remove', protect: false });
  });

  it('refuses an unknown stage before deploying anything', async () => {
    const sstConfig = (await import('../../sst.config.js')).default as unknown as SstConfig;
    await expect(sstConfig.app({ stage: 'staging' })).rejects.toMatchObject({
      code: 'InvalidConfig',
    });
  });
});

describe('tables', () => {
  it('declares the bindings table from the broker schema', () => {
    const table = production.recording.one('sst.aws.Dynamo', 'Bindings');
    expect(table.args).toMatchObject({
      primaryIndex: { hashKey: bindingsTable.partitionKey, rangeKey: bindingsTable.sortKey },
      globalIndexes: {
        [bindingsTable.byIdIndex.name]: { hashKey: bindingsTable.byIdIndex.partitionKey },
      },
      deletionProtection: true,
    });
    expect(table.transformed).toEqual({
      name: 'tessera-production-bindings',
      pointInTimeRecovery: { enabled: true },
    });
  });

  it('declares the audit table with its indexes and TTL', () => {
    const table = production.recording.one('sst.aws.Dynamo', 'Audit');
    expect(table.args).toMatchObject({
      primaryIndex: { hashKey: auditTable.partitionKey, rangeKey: auditTable.sortKey },
      globalIndexes: {
        [auditTable.byRoleIndex.name]: { hashKey: 'roleArn', rangeKey: 'at' },
        [auditTable.byDayIndex.name]: { hashKey: 'day', rangeKey: 'at' },
        [auditTable.byBindingIndex.name]: { hashKey: 'bindingId', rangeKey: 'at' },
        [auditTable.byResultDayIndex.name]: { hashKey: 'resultDay', rangeKey: 'at' },
        [auditTable.byEventIdIndex.name]: { hashKey: 'eventId', rangeKey: 'at' },
        [auditTable.byUsernameIndex.name]: { hashKey: 'username', rangeKey: 'at' },
      },
      ttl: auditTable.ttlAttribute,
    });
    expect(Object.keys(table.args.fields as object).sort()).toEqual([
      'at',
      'bindingId',
      'day',
      'eventId',
      'resultDay',
      'roleArn',
      'subject',
      'username',
    ]);
  });

  it('declares the subjects table (personal data) with its TTL and no backups beyond it', () => {
    const table = production.recording.one('sst.aws.Dynamo', 'Subjects');
    expect(table.args).toMatchObject({
      fields: { issuer: 'string', sub: 'string' },
      primaryIndex: { hashKey: subjectsTable.partitionKey, rangeKey: subjectsTable.sortKey },
      ttl: 'expiresAt',
    });
    expect(table.transformed).toEqual({
      name: 'tessera-production-subjects',
      pointInTimeRecovery: { enabled: false },
    });
  });

  it('never deletes production data; dev tables are disposable', () => {
    for (const table of production.recording.of('sst.aws.Dynamo')) {
      expect(table.opts).toEqual({ retainOnDelete: true, protect: true });
      expect(table.args.deletionProtection).toBe(true);
    }
    for (const table of dev.recording.of('sst.aws.Dynamo')) {
      expect(table.opts).toEqual({ retainOnDelete: false, protect: false });
      expect(table.args.deletionProtection).toBe(false);
    }
  });
});

describe('functions', () => {
  const functions = production.recording.of('sst.aws.Function');

  it('declares one function per handler: nodejs22.x on arm64, bundled, minified, with source maps', () => {
    // A declared function whose handler is not written yet is skipped (and says so).
    const written = functionNames().filter((fn) => existsSync(FUNCTIONS[fn].source));
    expect(written).toContain('credentials');
    expect(functions.map((f) => f.args.name)).toEqual(
      written.map((fn) => `tessera-production-${fn}`),
    );
    for (const fn of functions) {
      expect(fn.args).toMatchObject({
        runtime: 'nodejs22.x',
        architecture: 'arm64',
        nodejs: { format: 'esm', minify: true, sourcemap: true, install: [] },
      });
    }
  });

  it('runs each function as its own least-privilege role', () => {
    const roleOf = (name: string) =>
      functions.find((f) => f.args.name === `tessera-production-${name}`)?.args.role;
    expect(roleOf('credentials')).toBe('arn:aws:iam::111122223333:role/tessera-production-broker');
    expect(roleOf('roles')).toBe('arn:aws:iam::111122223333:role/tessera-production-reader');
    if (existsSync(FUNCTIONS['admin-bindings'].source)) {
      expect(roleOf('admin-bindings')).toBe(
        'arn:aws:iam::111122223333:role/tessera-production-admin',
      );
    }
    expect(roleOf('health')).toBe('arn:aws:iam::111122223333:role/tessera-production-basic');
  });

  it('wires the handlers configuration, without the reserved AWS_REGION', () => {
    const env = functions[0]?.args.environment as Record<string, string>;
    expect(env).toMatchObject({
      TESSERA_BINDINGS_TABLE: 'tessera-production-bindings',
      TESSERA_AUDIT_TABLE: 'tessera-production-audit',
      TESSERA_SUBJECTS_TABLE: 'tessera-production-subjects',
      TESSERA_ADMIN_GROUP: 'tessera-admins',
      TESSERA_ROLE_CHAINING: 'true',
      TESSERA_CORS_ORIGINS: 'https://access.example.com,https://portal.stand-in.example',
    });
    expect(JSON.parse(env.TESSERA_POOLS ?? '')).toEqual([
      {
        userPoolId: 'eu-west-1_StandIn',
        clientIds: ['client-Portal', 'client-Cli', 'client-Apps'],
        tokenUse: null,
      },
    ]);
    expect(env).not.toHaveProperty('AWS_REGION');
  });

  it('tells the binding writers the stage’s target roles and the broker role, as the handlers read them', () => {
    const env = functions[0]?.args.environment as Record<string, string>;
    const stage = resolveStage(config, 'production');
    const read = loadConfig({ ...env, AWS_REGION: stage.region }).targetRoles;
    expect(read).toEqual({
      allowed: stage.targetRoles,
      brokerRoleArn: 'arn:aws:iam::111122223333:role/tessera-production-broker',
    });
  });
});

describe('trails', () => {
  it('tells the audit function where to search: its account, the partner through its trail reader', () => {
    const audit = production.recording
      .of('sst.aws.Function')
      .find((f) => f.args.name === 'tessera-production-audit');
    const env = audit?.args.environment as Record<string, string>;
    expect(audit?.args.timeout).toBe('29 seconds');
    expect(JSON.parse(env.TESSERA_TRAIL_ACCOUNTS ?? '')).toEqual({
      '111122223333': 'self',
      '444455556666': 'arn:aws:iam::444455556666:role/tessera-trail-reader',
    });
    expect(env.TESSERA_TRAIL_DATA_EVENTS).toBe('tessera-production-data-events');
  });

  it('production records the upload bucket’s object calls in a trail with a private log bucket', () => {
    const trail = production.recording.one('aws.cloudtrail.Trail', 'DataEvents');
    expect(trail.args).toMatchObject({
      name: 'tessera-production-data-events',
      s3BucketName: 'tessera-production-data-events-111122223333',
      isMultiRegionTrail: false,
      enableLogFileValidation: true,
      advancedEventSelectors: [
        {
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Data'] },
            { field: 'resources.type', equals: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWiths: ['arn:aws:s3:::example-media-uploads/'] },
          ],
        },
      ],
    });
    const bucket = production.recording.one('aws.s3.BucketV2', 'DataEventsLog');
    expect(bucket.args).toMatchObject({ forceDestroy: false });
    expect(bucket.opts).toMatchObject({ retainOnDelete: true, protect: true });
    expect(
      production.recording.one('aws.s3.BucketPublicAccessBlock', 'DataEventsLogPublicAccess').args,
    ).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    });
    const policy = JSON.parse(
      String(production.recording.one('aws.s3.BucketPolicy', 'DataEventsLogPolicy').args.policy),
    );
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      'CloudTrailAclCheck',
      'CloudTrailWrite',
      'TlsOnly',
    ]);
  });

  it('dev (dataEvents: false) creates no trail and says so to the audit function', () => {
    expect(dev.recording.of('aws.cloudtrail.Trail')).toEqual([]);
    const audit = dev.recording
      .of('sst.aws.Function')
      .find((f) => f.args.name === 'tessera-dev-audit');
    const env = audit?.args.environment as Record<string, string>;
    expect(JSON.parse(env.TESSERA_TRAIL_ACCOUNTS ?? '')).toEqual({ '210987654321': 'self' });
    expect(env.TESSERA_TRAIL_DATA_EVENTS).toBe('none');
  });
});

describe('the HTTP API', () => {
  it('routes every route to its function (routes of a handler not written yet are skipped)', () => {
    const written = deployedRoutes().filter((r) => existsSync(FUNCTIONS[r.function].source));
    expect(written.map((r) => r.path)).toContain('/v1/credentials');
    expect(production.recording.routes).toEqual(
      written.map((r) => ({
        route: `${r.method} ${r.path}`,
        handler: `arn:aws:lambda:eu-west-1:111122223333:function:tessera-production-${r.function}`,
      })),
    );
  });

  it('allows the portal origins only (configured and the site’s), throttles, keeps access logs', () => {
    const api = production.recording.one('sst.aws.ApiGatewayV2', 'Api');
    expect(api.args).toMatchObject({
      cors: {
        allowOrigins: ['https://access.example.com', 'https://portal.stand-in.example'],
        allowCredentials: false,
      },
      accessLog: { retention: '1 year' },
    });
    expect(api.transformed).toMatchObject({
      defaultRouteSettings: { throttlingRateLimit: 50, throttlingBurstLimit: 100 },
    });
  });
});

describe('IAM', () => {
  it('deploys each execution role with exactly the synthesized policy and no managed policy', () => {
    const files = synthesize(resolveStage(config, 'production'));
    for (const kind of ROLE_KINDS) {
      const role = production.recording.resources.find(
        (r) => r.type === 'aws.iam.Role' && r.args.name === `tessera-production-${kind}`,
      );
      const inline = (role?.args.inlinePolicies as { policy: string }[] | undefined) ?? [];
      expect(inline.map((p) => JSON.parse(p.policy))).toEqual([
        files.get(`${kind}-role-policy.json`),
      ]);
      expect(role?.args.managedPolicyArns).toEqual([]);
      expect(JSON.parse(String(role?.args.assumeRolePolicy))).toMatchObject({
        Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: ['sts:AssumeRole'] }],
      });
    }
  });

  it('creates the example target roles with the synthesized trust policies', () => {
    const files = synthesize(resolveStage(config, 'production'));
    const upload = production.recording.resources.find(
      (r) => r.args.name === 'tessera-production-app-upload',
    );
    expect(JSON.parse(String(upload?.args.assumeRolePolicy))).toEqual(
      files.get('trust/app-upload.json'),
    );
    expect(upload?.args.maxSessionDuration).toBe(3600);
    // IAM refuses a trust policy naming a role that does not exist yet: created after the broker role.
    expect((upload?.opts?.dependsOn as unknown[] | undefined)?.length).toBe(1);
  });
});

describe('sign-in', () => {
  it('creates the pool with deletion protection in production, public clients, the admin group', () => {
    expect(
      production.recording.one('sst.aws.CognitoUserPool', 'UserPool').transformed,
    ).toMatchObject({
      deletionProtection: 'ACTIVE',
    });
    const portal = production.recording.one('sst.aws.CognitoUserPoolClient', 'Portal');
    expect(portal.transformed).toMatchObject({
      generateSecret: false,
      allowedOauthFlows: ['code'],
    });
    expect(portal.args.providers).toEqual(['COGNITO', 'CompanyIdP']);
    expect(production.recording.one('aws.cognito.UserGroup', 'AdminGroup').args.name).toBe(
      'tessera-admins',
    );
    expect(
      production.recording.one('sst.aws.CognitoIdentityProvider', 'CompanyIdP').args.type,
    ).toBe('saml');
  });
});

describe('the access portal', () => {
  it('is a static site of packages/portal, its URL a callback of the portal client', () => {
    const site = production.recording.one('sst.aws.StaticSite', 'Portal');
    expect(site.args).toMatchObject({
      path: 'packages/portal',
      build: { command: 'npm run build', output: 'dist' },
    });
    const client = production.recording.one('sst.aws.CognitoUserPoolClient', 'Portal');
    expect(client.args.callbackUrls).toEqual([
      'https://access.example.com/callback',
      'https://portal.stand-in.example/callback',
    ]);
    expect(production.outputs.portal).toBe('https://portal.stand-in.example');
  });

  it('gets config.json beside it: the API, the pool, the portal client and the hosted UI', () => {
    const object = production.recording.one('aws.s3.BucketObjectv2', 'PortalConfig');
    expect(object.args).toMatchObject({
      bucket: 'portal-assets-stand-in',
      key: 'config.json',
      contentType: 'application/json',
    });
    expect(JSON.parse(String(object.args.content))).toEqual({
      api: 'https://api.stand-in.example',
      region: 'eu-west-1',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_StandIn',
      clientId: 'client-Portal',
      cognitoIdp: 'https://cognito-idp.eu-west-1.amazonaws.com',
      hostedUi: 'https://tessera-example.auth.eu-west-1.amazoncognito.com',
      tokenUse: 'id',
      adminGroup: 'tessera-admins',
    });
  });
});

describe('an existing user pool', () => {
  it('is adopted by id: new app clients, but no pool, domain or group of ours', async () => {
    const stage = resolveStage(config, 'production');
    const recording = installStandIns({
      name: 'production',
      region: stage.region,
      account: stage.account,
    });
    const { deploy } = await import('../index.js');
    const adopted = {
      ...config,
      stages: {
        ...config.stages,
        production: {
          ...config.stages.production,
          userPool: {
            kind: 'existing',
            userPoolId: 'eu-west-1_Existing1',
            domainPrefix: 'existing-login',
          },
        },
      },
    } as const;
    deploy('production', adopted);
    expect(recording.of('sst.aws.CognitoUserPool')).toEqual([]);
    expect(recording.one('sst.aws.CognitoUserPool.get', 'UserPool').args).toEqual({
      id: 'eu-west-1_Existing1',
    });
    expect(recording.of('aws.cognito.UserPoolDomain')).toEqual([]);
    expect(recording.of('aws.cognito.UserGroup')).toEqual([]);
    const env = recording.of('sst.aws.Function')[0]?.args.environment as Record<string, string>;
    expect(JSON.parse(env.TESSERA_POOLS ?? '')[0].userPoolId).toBe('eu-west-1_Existing1');
  });
});
