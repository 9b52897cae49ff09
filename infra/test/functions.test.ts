import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { OnResolveArgs, PluginBuild } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { routes } from '../../packages/functions/src/routes.js';
import { esbuildOptions, NODEJS_BUNDLING } from '../build.js';
import { ConfigError } from '../config.js';
import { deployedRoutes, FUNCTIONS, functionNames, ROLE_KINDS } from '../functions.js';
import lambdaPlugins, { REDIRECTS } from '../lambda-plugins.mjs';

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

describe('the Lambda build plugins', () => {
  it('are the file SST reads and the array npm run bundle passes', async () => {
    expect(existsSync(NODEJS_BUNDLING.plugins)).toBe(true);
    const file = pathToFileURL(resolve(NODEJS_BUNDLING.plugins)).href;
    const read = (await import(/* @vite-ignore */ file)) as { default: unknown };
    expect(read.default).toBe(lambdaPlugins);
    expect(esbuildOptions('in.ts', 'out.mjs').plugins).toBe(lambdaPlugins);
  });

  /** Registers the plugins as SST 3.19's bridge does, and resolves `path` through them. */
  function resolveLikeSst(path: string): unknown {
    const registered: { filter: RegExp; callback: (args: OnResolveArgs) => unknown }[] = [];
    const stub = {
      onResolve: (options: { filter: RegExp }, callback: (args: OnResolveArgs) => unknown) =>
        registered.push({ filter: options.filter, callback }),
    } as unknown as PluginBuild;
    for (const plugin of lambdaPlugins) void plugin.setup(stub);
    // The bridge (.sst/platform/functions/nodejs-runtime/plugin.mjs) tests each filter against
    // `msg.path`, which its messages never carry: the filter sees the string "undefined".
    const args = {
      path,
      importer: '',
      namespace: 'file',
      resolveDir: '/',
      kind: 'import-statement',
    };
    for (const { filter, callback } of registered) {
      if (new RegExp(filter).test(String(undefined))) {
        const reply = callback(args as OnResolveArgs);
        if (reply) return reply;
      }
    }
    return undefined;
  }

  it('redirect the default credential chain and event streams to existing modules, through SST too', () => {
    for (const [from, to] of Object.entries(REDIRECTS)) {
      expect(existsSync(to)).toBe(true);
      expect(resolveLikeSst(from)).toEqual({ path: to });
    }
    expect(Object.keys(REDIRECTS).sort()).toEqual([
      '@aws-sdk/credential-provider-node',
      '@smithy/core/event-streams',
    ]);
  });

  it('leave every other import to esbuild', () => {
    expect(resolveLikeSst('@aws-sdk/client-sts')).toBeUndefined();
    expect(resolveLikeSst('@aws-sdk/credential-provider-env')).toBeUndefined();
  });
});
