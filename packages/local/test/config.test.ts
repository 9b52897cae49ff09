import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_PATH,
  LocalConfigError,
  loadLocalConfig,
  parseLocalConfig,
} from '../src/index.js';
import { compileBuckets } from '../src/s3/buckets.js';

const raw = () => JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));

describe('the local config', () => {
  it('the committed default is valid and describes the three jobs', () => {
    const config = loadLocalConfig(DEFAULT_CONFIG_PATH);
    expect(config.userPoolId).toMatch(/^eu-west-1_[A-Za-z0-9]+$/);
    expect(config.clients.map((c) => c.name)).toEqual(['app', 'cli', 'portal']);
    expect(config.bindings.map((b) => b.id)).toEqual([
      'app-upload',
      'eng-readonly',
      'eng-workday',
      'partner-audit',
    ]);
    expect(config.users.find((u) => u.username === 'admin')?.groups).toContain(config.adminGroup);
  });

  it('refuses a seed binding for the broker role or a role outside targetRoles, naming its roleArn', () => {
    const broker = raw();
    broker.bindings[0].roleArn = 'arn:aws:iam::111111111111:role/tessera-broker';
    const outside = raw();
    outside.targetRoles = { path: '/', accounts: ['111111111111'] };
    for (const [doc, pointer] of [
      [broker, '/bindings/0/roleArn'],
      [outside, '/bindings/3/roleArn'],
    ] as const) {
      try {
        parseLocalConfig(doc);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(LocalConfigError);
        expect((err as LocalConfigError).problems.map((p) => [p.pointer, p.code])).toEqual([
          [pointer, 'RoleNotTargetable'],
        ]);
      }
    }
  });

  it('refuses a bad config with every problem listed', () => {
    const bad = raw();
    bad.userPoolId = 'us-east-1_Wrong';
    bad.accounts[0].id = '123';
    bad.roles[1].maxSessionDuration = 60;
    bad.clients = bad.clients.filter((c: { name: string }) => c.name !== 'cli');
    bad.bindings[0].roleArn = 'arn:aws:iam::111111111111:role/missing';
    bad.users.push({ username: 'alice', groups: [] });
    let error: unknown;
    try {
      parseLocalConfig(bad, 'bad.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LocalConfigError);
    const e = error as LocalConfigError;
    expect(e.code).toBe('InvalidConfig');
    // Each with its JSON Pointer and code; a changed account id orphans what referred to it.
    expect(e.problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/accounts/0/id', 'InvalidFormat'],
      ['/roles/1/maxSessionDuration', 'OutOfRange'],
      ['/userPoolId', 'PoolIdRegionMismatch'],
      ['/clients', 'MissingClient'],
      ['/users/4/username', 'Duplicate'],
      ['/roles/0/account', 'UnknownAccount'],
      ['/roles/1/account', 'UnknownAccount'],
      ['/roles/2/account', 'UnknownAccount'],
      ['/roles/3/account', 'UnknownAccount'],
      ['/iamUsers/0/account', 'UnknownAccount'],
      ['/buckets/0/account', 'UnknownAccount'],
      ['/bindings/0/issuer', 'IssuerMismatch'],
      ['/bindings/0/roleArn', 'UnknownRole'],
      ['/bindings/1/issuer', 'IssuerMismatch'],
      ['/bindings/2/issuer', 'IssuerMismatch'],
      ['/bindings/3/issuer', 'IssuerMismatch'],
    ]);
    expect(e.message).toContain('bad.json is invalid');
    expect(e.message).toContain('/clients: needs a client "cli" (MissingClient)');
  });

  it('checks the seed bindings with the broker, and refuses unknown members', () => {
    const bad = raw();
    bad.bindings[1].durationSeconds = { default: 900, max: 50_000 };
    bad.roles[0].maxSessionDurtion = 7200;
    let error: unknown;
    try {
      parseLocalConfig(bad);
    } catch (err) {
      error = err;
    }
    expect((error as LocalConfigError).problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/roles/0/maxSessionDurtion', 'UnknownField'],
      ['/bindings/1/durationSeconds/max', 'OutOfRange'],
    ]);
  });

  it('describes the job-1 bucket: app-upload scoped by the sub tag as infra deploys it, CORS for the app', () => {
    const config = loadLocalConfig(DEFAULT_CONFIG_PATH);
    const role = config.roles.find((r) => r.name === 'app-upload')!;
    expect(JSON.stringify(role.policies)).toContain(
      '"Resource":"arn:aws:s3:::tessera-local-media/uploads/${aws:PrincipalTag/sub}/*"',
    );
    expect(config.bindings.find((b) => b.id === 'app-upload')?.sessionTags).toEqual({
      sub: '${token:sub}',
    });
    const bucket = config.buckets.find((b) => b.name === 'tessera-local-media')!;
    expect(bucket.account).toBe(config.broker.account);
    const app = new URL(config.clients.find((c) => c.name === 'app')!.callbackUrls[0]!).origin;
    expect(bucket.cors[0]?.AllowedOrigins).toContain(app);
    expect(bucket.cors[0]?.AllowedMethods).toContain('PUT');
  });

  it('refuses bad buckets: name, account, CORS rule, and a bucket policy without Principal', () => {
    const bad = raw();
    bad.buckets.push(
      {
        name: 'Not_A_Bucket',
        account: '999999999999',
        cors: [{ AllowedOrigins: ['*.*'], AllowedMethods: ['PATCH'] }],
      },
      { name: 'tessera-local-media', account: '111111111111' },
    );
    let error: unknown;
    try {
      parseLocalConfig(bad, 'bad.json');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LocalConfigError);
    expect((error as LocalConfigError).problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/buckets/1/name', 'InvalidFormat'],
      ['/buckets/1/cors/0/AllowedOrigins/0', 'InvalidValue'],
      ['/buckets/1/cors/0/AllowedMethods/0', 'InvalidValue'],
      ['/buckets/2/name', 'Duplicate'],
      ['/buckets/1/account', 'UnknownAccount'],
    ]);

    const noPrincipal = raw();
    delete noPrincipal.buckets[0].policy.Statement[0].Principal;
    let compileError: unknown;
    try {
      compileBuckets(parseLocalConfig(noPrincipal, 'p.json'));
    } catch (err) {
      compileError = err;
    }
    expect(compileError).toBeInstanceOf(LocalConfigError);
    expect((compileError as LocalConfigError).problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/buckets/0/policy/Statement/0', 'MissingPrincipal'],
    ]);
  });
});
