import { describe, expect, it } from 'vitest';
import example from '../../tessera.config.js';
import {
  ConfigError,
  type ConfigProblem,
  resolveStage,
  type StageConfig,
  type TesseraConfig,
} from '../config.js';
import { exampleRoles } from '../target-roles.js';

function withProduction(patch: Partial<StageConfig>): TesseraConfig {
  return {
    ...example,
    stages: { ...example.stages, production: { ...example.stages.production, ...patch } },
  };
}

function problemsOf(run: () => unknown): readonly ConfigProblem[] {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('InvalidConfig');
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveStage', () => {
  it('accepts the example configuration for both stages', () => {
    expect(resolveStage(example, 'dev')).toMatchObject({
      name: 'dev',
      production: false,
      partition: 'aws',
    });
    expect(resolveStage(example, 'production')).toMatchObject({
      name: 'production',
      production: true,
    });
  });

  it('refuses an unknown stage, naming the known ones', () => {
    expect(problemsOf(() => resolveStage(example, 'staging'))).toEqual([
      {
        code: 'UnknownStage',
        pointer: '/stages',
        message: expect.stringContaining('dev, production'),
      },
    ]);
  });

  it('lists every problem with its path', () => {
    const config = withProduction({
      account: '1234',
      targetRoles: { arns: ['arn:aws:iam::111122223333:role/*', 'not-an-arn'] },
      portal: {
        origins: ['http://access.example.com'],
        callbackUrls: [],
        logoutUrls: ['https://x.example.com/'],
      },
    });
    expect(problemsOf(() => resolveStage(config, 'production')).map((p) => p.pointer)).toEqual([
      '/stages/production/account',
      '/stages/production/targetRoles/arns/0',
      '/stages/production/targetRoles/arns/1',
      '/stages/production/portal/origins/0',
      '/stages/production/portal/callbackUrls',
    ]);
  });

  it('refuses the root path and an empty role list (they would mean "every role")', () => {
    const root = withProduction({ targetRoles: { path: '/', accounts: ['111122223333'] } });
    expect(problemsOf(() => resolveStage(root, 'production')).map((p) => p.pointer)).toEqual([
      '/stages/production/targetRoles/path',
    ]);
    const none = withProduction({ targetRoles: { arns: [] } });
    expect(problemsOf(() => resolveStage(none, 'production')).map((p) => p.pointer)).toEqual([
      '/stages/production/targetRoles/arns',
    ]);
  });

  it('names problems inside a federation, a pool and an unknown setting by JSON Pointer', () => {
    const config = withProduction({
      federation: {
        type: 'oidc',
        name: 'Company IdP',
        issuer: 'https://idp.example.com',
        clientId: '',
        clientSecretName: 'idpSecret',
        scopes: ['openid'],
        attributes: {},
      },
      extraPools: [{ userPoolId: 'eu-west-1_AbC', clientIds: [], tokenUse: null }],
      throttle: { rate: 0, burst: 10, burts: 5 } as unknown as StageConfig['throttle'],
    });
    expect(
      problemsOf(() => resolveStage(config, 'production')).map((p) => [p.pointer, p.code]),
    ).toEqual([
      ['/stages/production/extraPools/0/clientIds', 'TooFew'],
      ['/stages/production/federation/name', 'InvalidFormat'],
      ['/stages/production/federation/clientId', 'TooShort'],
      ['/stages/production/federation/clientSecretName', 'InvalidFormat'],
      ['/stages/production/throttle/rate', 'OutOfRange'],
      ['/stages/production/throttle/burts', 'UnknownField'],
    ]);
  });

  it('allows http://localhost origins in dev only', () => {
    const localhost = withProduction({
      portal: { ...example.stages.production.portal, origins: ['http://localhost:5173'] },
    });
    expect(problemsOf(() => resolveStage(localhost, 'production')).map((p) => p.pointer)).toEqual([
      '/stages/production/portal/origins/0',
    ]);
  });

  it('refuses an origin with a path', () => {
    const withPath = withProduction({
      portal: { ...example.stages.production.portal, origins: ['https://access.example.com/'] },
    });
    expect(problemsOf(() => resolveStage(withPath, 'production')).map((p) => p.pointer)).toEqual([
      '/stages/production/portal/origins/0',
    ]);
  });
});

describe('example roles', () => {
  it('must be configured target roles: a loud error, not a silent grant', () => {
    const config = withProduction({
      targetRoles: { arns: ['arn:aws:iam::444455556666:role/tessera-access'] },
    });
    const problems = problemsOf(() => exampleRoles(resolveStage(config, 'production')));
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.pointer === '/stages/production/targetRoles')).toBe(true);
  });

  it('are created under the target path when targets are path-scoped', () => {
    const roles = exampleRoles(resolveStage(example, 'dev'));
    expect(roles.map((r) => r.arn)).toEqual([
      'arn:aws:iam::210987654321:role/tessera-dev/tessera-dev-app-upload',
      'arn:aws:iam::210987654321:role/tessera-dev/tessera-dev-employee-readonly',
      // Trusts Tessera's OIDC provider, not the broker role: not a target role of the broker.
      'arn:aws:iam::210987654321:role/tessera-dev/tessera-dev-employee-workday',
    ]);
  });
});
