import { describe, expect, it } from 'vitest';
import { routes } from '../../packages/functions/src/routes.js';
import { esbuildOptions, NODEJS_BUNDLING } from '../build.js';
import { ConfigError } from '../config.js';
import { deployedRoutes, FUNCTIONS, functionNames, ROLE_KINDS } from '../functions.js';

describe('deployedRoutes', () => {
  it('deploys every route of the handlers route table, to a declared function', () => {
    expect(deployedRoutes().map((r) => `${r.method} ${r.path}`)).toEqual(
      routes.map((r) => `${r.method} ${r.path}`),
    );
  });

  it('refuses a route whose function has no deployment declaration', () => {
    const table = [
      { method: 'GET', path: '/v1/reports', handler: 'health', function: 'reports' },
    ] as const;
    expect(() => deployedRoutes(table)).toThrow(ConfigError);
  });
});

describe('functions', () => {
  it('every execution role runs at least one function (its log grant is not empty)', () => {
    for (const kind of ROLE_KINDS) {
      expect(functionNames().filter((fn) => FUNCTIONS[fn].role === kind)).not.toEqual([]);
    }
  });

  it('only the vending functions (credentials, console links) run as the broker role', () => {
    expect(functionNames().filter((fn) => FUNCTIONS[fn].role === 'broker')).toEqual([
      'credentials',
      'console',
    ]);
  });

  it('only the audit function runs as the auditor role', () => {
    expect(functionNames().filter((fn) => FUNCTIONS[fn].role === 'auditor')).toEqual(['audit']);
  });
});

describe('esbuildOptions', () => {
  it('is a deploy build as SST derives it: ESM, module-first, minified, linked maps, SDK inside', () => {
    const options = esbuildOptions('in.ts', 'out.mjs');
    expect(options).toMatchObject({
      platform: 'node',
      format: 'esm',
      bundle: true,
      minify: true,
      keepNames: true,
      sourcemap: 'linked',
      mainFields: ['module', 'main'],
      external: ['sharp', 'pg-native'],
    });
    expect(NODEJS_BUNDLING.install).toEqual([]);
    expect(options.banner?.js).toContain('topLevelCreateRequire(import.meta.url)');
  });
});
