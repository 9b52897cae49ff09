/**
 * The esbuild plugins of every Lambda build, in one place: SST's deploy build reads this file
 * (`nodejs.plugins` in `infra/build.ts`, run by SST's plugin bridge in plain `node`, hence
 * JavaScript), and `esbuildOptions` (`npm run bundle`, the cold-start benchmark, the bundle tests)
 * passes the same array. Two imports the functions never need are redirected to tiny modules:
 * - `@aws-sdk/credential-provider-node` (the SDK's default credential chain, ~100 KiB) -> the
 *   environment provider alone: in Lambda the execution role's credentials are in the environment;
 * - `@smithy/core/event-streams` (~15 KiB, loaded only for event-stream operations, which no
 *   service called here has) -> a module that throws if ever used.
 */
import { fileURLToPath } from 'node:url';

const shim = (name) =>
  fileURLToPath(new URL(`../packages/functions/src/lambda-shims/${name}.ts`, import.meta.url));

/** Import path -> the module bundled in its place. */
export const REDIRECTS = Object.freeze({
  '@aws-sdk/credential-provider-node': shim('env-credentials'),
  '@smithy/core/event-streams': shim('no-event-streams'),
});

export const lambdaRedirects = {
  name: 'tessera-lambda-redirects',
  setup(build) {
    // The filter matches everything and the callback decides: SST 3.19's plugin bridge
    // (`.sst/platform/functions/nodejs-runtime/plugin.mjs`) tests the filter against a field that
    // is always undefined, so a narrower filter would silently never redirect in a deploy.
    build.onResolve({ filter: /.*/ }, (args) =>
      Object.hasOwn(REDIRECTS, args.path) ? { path: REDIRECTS[args.path] } : undefined,
    );
  },
};

export default [lambdaRedirects];
