import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests run against the TypeScript sources: no build step between an edit and a test run.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@tessera\/broker\/aws$/, replacement: pkg('broker/src/aws.ts') },
      { find: /^@tessera\/broker\/aws-iam$/, replacement: pkg('broker/src/aws-iam.ts') },
      { find: /^@tessera\/broker\/testing$/, replacement: pkg('broker/src/testing.ts') },
      {
        find: /^@tessera\/broker\/file-signer$/,
        replacement: pkg('broker/src/adapters/file-signer.ts'),
      },
      { find: /^@tessera\/broker\/provisioning$/, replacement: pkg('broker/src/provisioning.ts') },
      {
        find: /^@tessera\/broker\/aws-cloudtrail$/,
        replacement: pkg('broker/src/aws-cloudtrail.ts'),
      },
      {
        find: /^@tessera\/functions\/handlers\/(.*)$/,
        replacement: pkg('functions/src/handlers/$1'),
      },
      { find: /^@tessera\/client\/(credentials|node)$/, replacement: pkg('client/src/$1.ts') },
      {
        find: /^@tessera\/(policy|broker|functions|local|client)$/,
        replacement: pkg('$1/src/index.ts'),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'infra/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
