import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type PoolConfig, routes } from '../src/index.js';
import { lambdaHandler } from '../src/lambda.js';
import { allowedMethods, pathMatches } from '../src/routes.js';
import { apiEvent, lambdaContext } from './events.js';

const env = {
  AWS_REGION: 'eu-west-1',
  TESSERA_BINDINGS_TABLE: 'bindings',
  TESSERA_AUDIT_TABLE: 'audit',
  TESSERA_SUBJECTS_TABLE: 'subjects',
  TESSERA_POOLS: JSON.stringify([
    { userPoolId: 'eu-west-1_AbC', clientIds: ['app-client-id'], tokenUse: null },
  ]),
};

describe('loadConfig', () => {
  it('reads the environment with defaults', () => {
    expect(loadConfig(env)).toEqual({
      region: 'eu-west-1',
      tables: { bindings: 'bindings', audit: 'audit', subjects: 'subjects' },
      pools: [{ userPoolId: 'eu-west-1_AbC', clientIds: ['app-client-id'], tokenUse: null }],
      adminGroup: 'tessera-admins',
      accountId: null,
      roleChainingCap: true,
      cache: { bindingsSeconds: 30 },
      storeTimeoutMs: 1000,
      stsTimeoutMs: 1500,
      revocationWriterRole: null,
      auditTtlDays: 365,
      subjectTtlDays: 90,
      corsOrigins: [],
      rateLimits: {
        perSourceIp: { perMinute: 600, burst: 150 },
        perSubject: { perMinute: 120, burst: 30 },
      },
      oidc: null,
      accounts: {},
      customAttributes: [],
      targetRoles: null,
      console: {
        federationEndpoint: 'https://eu-west-1.signin.aws.amazon.com/federation',
        destination: 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
        issuer: null,
      },
      trail: { accounts: {}, dataEvents: 'none' },
    });
  });

  it('searches trails in its own account by default, and in the accounts configured', () => {
    expect(loadConfig({ ...env, TESSERA_ACCOUNT_ID: '111122223333' }).trail).toEqual({
      accounts: { '111122223333': 'self' },
      dataEvents: 'none',
    });
    const reader = 'arn:aws:iam::444455556666:role/tessera-trail-reader';
    expect(
      loadConfig({
        ...env,
        TESSERA_ACCOUNT_ID: '111122223333',
        TESSERA_TRAIL_ACCOUNTS: JSON.stringify({ '111122223333': 'self', '444455556666': reader }),
        TESSERA_TRAIL_DATA_EVENTS: 'tessera-production-data-events',
      }).trail,
    ).toEqual({
      accounts: { '111122223333': 'self', '444455556666': reader },
      dataEvents: 'tessera-production-data-events',
    });
  });

  it('names each wrong trail setting by its pointer', () => {
    let problems: readonly { pointer: string }[] = [];
    try {
      loadConfig({
        ...env,
        TESSERA_TRAIL_ACCOUNTS: JSON.stringify({ '12': 'self', '444455556666': 'someone' }),
        TESSERA_TRAIL_DATA_EVENTS: 'a b',
      });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems.map((p) => p.pointer).sort()).toEqual([
      '/TESSERA_TRAIL_ACCOUNTS/12',
      '/TESSERA_TRAIL_ACCOUNTS/444455556666',
      '/TESSERA_TRAIL_DATA_EVENTS',
    ]);
  });

  it('turns a rate limit off with 0', () => {
    expect(
      loadConfig({ ...env, TESSERA_RATE_LIMIT_PER_IP: '0', TESSERA_RATE_LIMIT_PER_SUBJECT: '0' })
        .rateLimits,
    ).toEqual({ perSourceIp: null, perSubject: null });
  });

  it('reads account names, custom attributes and the console settings', () => {
    const config = loadConfig({
      ...env,
      TESSERA_ACCOUNTS: '{"111122223333":"production"}',
      TESSERA_CUSTOM_ATTRIBUTES: '[{"name":"custom:team","userWritable":true}]',
      TESSERA_PORTAL_URL: 'https://access.example.com/',
      TESSERA_FEDERATION_ENDPOINT: 'http://127.0.0.1:9999/federation',
    });
    expect(config.accounts).toEqual({ '111122223333': 'production' });
    expect(config.customAttributes).toEqual([{ name: 'custom:team', userWritable: true }]);
    expect(config.console).toEqual({
      federationEndpoint: 'http://127.0.0.1:9999/federation',
      destination: 'https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1',
      issuer: 'https://access.example.com/',
    });
  });

  it('reads the target roles (ARNs or an IAM path) with the broker role, set together', () => {
    const broker = 'arn:aws:iam::111122223333:role/tessera-broker';
    expect(
      loadConfig({
        ...env,
        TESSERA_TARGET_ROLES: '{"arns":["arn:aws:iam::111122223333:role/app"]}',
        TESSERA_BROKER_ROLE_ARN: broker,
      }).targetRoles,
    ).toEqual({ brokerRoleArn: broker, allowed: { arns: ['arn:aws:iam::111122223333:role/app'] } });
    expect(
      loadConfig({
        ...env,
        TESSERA_TARGET_ROLES: '{"path":"/tessera/","accounts":["111122223333"]}',
        TESSERA_BROKER_ROLE_ARN: broker,
      }).targetRoles,
    ).toEqual({
      brokerRoleArn: broker,
      allowed: { path: '/tessera/', accounts: ['111122223333'] },
    });
    const problems = (extra: Record<string, string>) => {
      try {
        loadConfig({ ...env, ...extra });
        return [];
      } catch (err) {
        return (err as ConfigError).problems.map((p) => [p.pointer, p.code]);
      }
    };
    expect(problems({ TESSERA_BROKER_ROLE_ARN: broker })).toEqual([
      ['/TESSERA_TARGET_ROLES', 'Required'],
    ]);
    expect(
      problems({ TESSERA_TARGET_ROLES: '{"arns":["arn:aws:iam::111122223333:role/app"]}' }),
    ).toEqual([['/TESSERA_BROKER_ROLE_ARN', 'Required']]);
    expect(
      problems({ TESSERA_TARGET_ROLES: '{"arns":["role/app"]}', TESSERA_BROKER_ROLE_ARN: 'x' }),
    ).toEqual([
      ['/TESSERA_TARGET_ROLES/arns/0', 'InvalidFormat'],
      ['/TESSERA_BROKER_ROLE_ARN', 'InvalidFormat'],
    ]);
  });

  it('derives the federation endpoint and console by partition', () => {
    expect(loadConfig({ ...env, AWS_REGION: 'cn-north-1' }).console.federationEndpoint).toBe(
      'https://signin.amazonaws.cn/federation',
    );
    expect(loadConfig({ ...env, AWS_REGION: 'us-gov-west-1' }).console.federationEndpoint).toBe(
      'https://signin.amazonaws-us-gov.com/federation',
    );
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({
        TESSERA_POOLS: '[{"userPoolId":"nope","clientIds":[]}]',
        TESSERA_ROLE_CHAINING: 'maybe',
        TESSERA_CORS_ORIGINS: '*',
        TESSERA_ACCOUNT_ID: '1234',
        TESSERA_ACCOUNTS: '{"12":"short"}',
        TESSERA_CUSTOM_ATTRIBUTES: '[{"name":"team"}]',
        TESSERA_PORTAL_URL: 'http://portal.example.com/',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => [p.pointer, p.code])).toEqual([
        ['/AWS_REGION', 'Required'],
        ['/TESSERA_BINDINGS_TABLE', 'Required'],
        ['/TESSERA_AUDIT_TABLE', 'Required'],
        ['/TESSERA_SUBJECTS_TABLE', 'Required'],
        ['/TESSERA_POOLS/0/userPoolId', 'InvalidFormat'],
        ['/TESSERA_POOLS/0/clientIds', 'TooFew'],
        ['/TESSERA_ACCOUNT_ID', 'InvalidFormat'],
        ['/TESSERA_ROLE_CHAINING', 'InvalidValue'],
        ['/TESSERA_CORS_ORIGINS/0', 'InvalidValue'],
        ['/TESSERA_ACCOUNTS/12', 'InvalidValue'],
        ['/TESSERA_CUSTOM_ATTRIBUTES/0/name', 'InvalidFormat'],
        ['/TESSERA_CUSTOM_ATTRIBUTES/0/userWritable', 'Required'],
        ['/TESSERA_PORTAL_URL', 'InvalidValue'],
      ]);
    }
  });

  it('names a variable that is not JSON, and each bad pool setting, by pointer', () => {
    const problems = (bad: Record<string, string>) => {
      try {
        loadConfig({ ...env, ...bad });
      } catch (err) {
        return (err as ConfigError).problems.map((p) => [p.pointer, p.code]);
      }
      return [];
    };
    expect(problems({ TESSERA_POOLS: '[{' })).toEqual([['/TESSERA_POOLS', 'InvalidJson']]);
    expect(
      problems({
        TESSERA_POOLS:
          '[{"userPoolId":"eu-west-1_AbC","clientIds":["c"],"tokenUse":"both","jwksUri":"http://example.com/jwks","x":1}]',
        TESSERA_AUDIT_TTL_DAYS: '0',
      }),
    ).toEqual([
      ['/TESSERA_POOLS/0/tokenUse', 'InvalidValue'],
      ['/TESSERA_POOLS/0/jwksUri', 'InvalidValue'],
      ['/TESSERA_POOLS/0/x', 'UnknownField'],
      ['/TESSERA_AUDIT_TTL_DAYS', 'OutOfRange'],
    ]);
  });
});

describe('lambda entry with a bad configuration', () => {
  it('does not throw at import and answers 503 problem to every request', async () => {
    const handler = lambdaHandler('credentials', {});
    const res = await handler(
      apiEvent('POST', '/v1/credentials', { token: 'x', body: { role: 'r' } }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Content-Type']).toBe('application/problem+json');
    expect(JSON.parse(res.body ?? '')).toMatchObject({ code: 'ServiceUnavailable' });
    expect(res.body).not.toContain('TESSERA_');
  });
});

describe('routes', () => {
  it('names each route, handler and function', () => {
    expect(routes).toEqual([
      { method: 'POST', path: '/v1/credentials', handler: 'credentials', function: 'credentials' },
      { method: 'GET', path: '/v1/roles', handler: 'roles', function: 'roles' },
      { method: 'GET', path: '/healthz', handler: 'health', function: 'health' },
      { method: 'POST', path: '/v1/simulate', handler: 'simulate', function: 'simulate' },
      { method: 'POST', path: '/v1/console', handler: 'console', function: 'console' },
      { method: 'GET', path: '/v1/audit', handler: 'audit', function: 'audit' },
      { method: 'GET', path: '/v1/audit/me', handler: 'auditMe', function: 'audit' },
      { method: 'GET', path: '/v1/audit/trail', handler: 'subjectTrail', function: 'audit' },
      {
        method: 'GET',
        path: '/v1/audit/{eventId}/trail',
        handler: 'auditTrail',
        function: 'audit',
      },
      {
        method: 'GET',
        path: '/.well-known/openid-configuration',
        handler: 'openidConfiguration',
        function: 'credentials',
      },
      { method: 'GET', path: '/.well-known/jwks.json', handler: 'jwks', function: 'credentials' },
      {
        method: 'GET',
        path: '/v1/admin/bindings',
        handler: 'listBindings',
        function: 'admin-bindings',
      },
      {
        method: 'GET',
        path: '/v1/admin/bindings/{id}',
        handler: 'getBinding',
        function: 'admin-bindings',
      },
      {
        method: 'PUT',
        path: '/v1/admin/bindings/{id}',
        handler: 'putBinding',
        function: 'admin-bindings',
      },
      {
        method: 'DELETE',
        path: '/v1/admin/bindings/{id}',
        handler: 'deleteBinding',
        function: 'admin-bindings',
      },
      { method: 'POST', path: '/v1/admin/what-if', handler: 'whatIf', function: 'admin-bindings' },
      { method: 'GET', path: '/v1/admin/review', handler: 'review', function: 'admin-bindings' },
      {
        method: 'GET',
        path: '/v1/admin/revocations',
        handler: 'listRevocations',
        function: 'admin-bindings',
      },
      {
        method: 'POST',
        path: '/v1/admin/revocations',
        handler: 'addRevocation',
        function: 'admin-bindings',
      },
      {
        method: 'DELETE',
        path: '/v1/admin/revocations/{id}',
        handler: 'liftRevocation',
        function: 'admin-bindings',
      },
      { method: 'ANY', path: '/v1/{proxy+}', handler: 'unrouted', function: 'credentials' },
    ]);
  });

  it('matches paths as API Gateway does, and lists the methods a path takes', () => {
    expect(pathMatches('/v1/admin/bindings/{id}', '/v1/admin/bindings/app-upload')).toBe(true);
    expect(pathMatches('/v1/admin/bindings/{id}', '/v1/admin/bindings/')).toBe(false);
    expect(pathMatches('/v1/admin/bindings/{id}', '/v1/admin/bindings/a/b')).toBe(false);
    expect(pathMatches('/v1/{proxy+}', '/v1/a/b')).toBe(true);
    expect(pathMatches('/v1/{proxy+}', '/v1/')).toBe(false);
    expect(allowedMethods('/v1/credentials')).toEqual(['POST']);
    expect(allowedMethods('/v1/admin/bindings/x')).toEqual(['GET', 'PUT', 'DELETE']);
    expect(allowedMethods('/v1/nothing')).toEqual([]);
  });
});

describe('secure by default, at compile time', () => {
  it('a pool with an unknown token use does not compile; skipping the check needs an explicit null', () => {
    const pools: PoolConfig[] = [
      { userPoolId: 'eu-west-1_AbC', clientIds: ['c'], tokenUse: null },
      // @ts-expect-error tokenUse is 'id' | 'access' | null, nothing else
      { userPoolId: 'eu-west-1_AbC', clientIds: ['c'], tokenUse: 'both' },
      // @ts-expect-error clientIds is required
      { userPoolId: 'eu-west-1_AbC' },
    ];
    expect(pools).toHaveLength(3);
  });
});
