/**
 * The vend entries' import graph, as esbuild bundles it (the `@tessera/*` packages from their
 * sources): no IAM client and no admin code in what the bundle carries. `npm run bundle` checks the
 * deploy build the same way; this keeps the check in every test run.
 */
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = (p: string) => fileURLToPath(new URL(`../../../${p}`, import.meta.url));

const SOURCES: Record<string, string> = {
  '@tessera/policy': 'packages/policy/src/index.ts',
  '@tessera/broker': 'packages/broker/src/index.ts',
  '@tessera/broker/aws': 'packages/broker/src/aws.ts',
  '@tessera/broker/aws-iam': 'packages/broker/src/aws-iam.ts',
};

const fromSources: Plugin = {
  name: 'tessera-sources',
  setup(b) {
    b.onResolve({ filter: /^@tessera\// }, (args) => {
      const source = SOURCES[args.path];
      if (source === undefined) throw new Error(`no source mapping for ${args.path}`);
      return { path: root(source) };
    });
  },
};

/** The inputs that contribute bytes to the bundle of one entry. */
async function carried(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [root(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    write: false,
    outfile: 'out.mjs',
    metafile: true,
    logLevel: 'silent',
    plugins: [fromSources],
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  return Object.entries(output?.inputs ?? {})
    .filter(([, contribution]) => contribution.bytesInOutput > 0)
    .map(([input]) => input);
}

const IAM_OR_ADMIN = /node_modules\/@aws-sdk\/client-iam\/|adapters\/iam\.|aws-iam\.|admin/;

describe('bundles', () => {
  it.each(['credentials', 'roles', 'health'])(
    'the %s entry carries neither the IAM client nor admin code',
    async (fn) => {
      const inputs = await carried(`packages/functions/src/handlers/${fn}.ts`);
      expect(inputs.some((i) => i.includes('functions/src/app.ts'))).toBe(true);
      expect(inputs.filter((i) => IAM_OR_ADMIN.test(i))).toEqual([]);
    },
  );

  it('the admin-bindings entry carries them (the check above can fail)', async () => {
    const inputs = await carried('packages/functions/src/handlers/admin-bindings.ts');
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/client-iam/'))).toBe(true);
    expect(inputs.some((i) => i.includes('functions/src/admin-app.ts'))).toBe(true);
  });
});
