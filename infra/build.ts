/**
 * How every handler is built, in one place. `infra/api.ts` hands `LAMBDA_RUNTIME` and
 * `NODEJS_BUNDLING` to `sst.aws.Function`; `npm run bundle` and the cold-start benchmark call
 * `esbuildOptions`, which spells out the esbuild options SST 3.19's builder
 * (`pkg/runtime/node/build.go`) derives from those same settings for a deploy (not `sst dev`).
 * So the bundle measured here is the bundle deployed.
 */
import type { BuildOptions } from 'esbuild';
import lambdaPlugins from './lambda-plugins.mjs';

export const LAMBDA_RUNTIME = { runtime: 'nodejs22.x', architecture: 'arm64' } as const;

/**
 * `sst.aws.Function`'s `nodejs` settings. The AWS SDK is bundled (nothing is external), tree-shaken
 * and minified: the runtime's own SDK copy is neither pinned nor smaller to load. Source maps are
 * generated; SST keeps them out of the function zip and uploads them beside it. `plugins` (a path
 * from the repository root, where `sst.config.ts` is) redirects the SDK's default credential chain
 * to the environment provider and drops event-stream support: see `infra/lambda-plugins.mjs`.
 */
export const NODEJS_BUNDLING = {
  format: 'esm',
  plugins: 'infra/lambda-plugins.mjs',
  minify: true,
  sourcemap: true,
  install: [],
  banner: '',
} as const;

/**
 * Module paths of the SDK's default credential chain and of event-stream support: no Lambda bundle
 * carries them (`npm run bundle` and the bundle test check the vend bundle against this list).
 */
export const NEVER_BUNDLED: readonly RegExp[] = [
  /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)[^/]+|nested-clients|token-providers)\//,
  /node_modules\/@smithy\/credential-provider-imds\//,
  /node_modules\/@smithy\/core\/dist-[^/]+\/submodules\/event-streams\//,
];

/** Always external in SST's builder (native modules); none of them is used here. */
const SST_FORCE_EXTERNAL = ['sharp', 'pg-native'];

/** SST's ESM banner: gives bundled CommonJS dependencies `require`, `__filename`, `__dirname`. */
const SST_ESM_BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  'const require = topLevelCreateRequire(import.meta.url);',
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  'const __filename = topLevelFileUrlToPath(import.meta.url)',
  'const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))',
  NODEJS_BUNDLING.banner,
].join('\n');

/** The esbuild options of a deploy build of one handler, as SST derives them. */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    platform: 'node',
    format: NODEJS_BUNDLING.format,
    target: 'esnext',
    mainFields: ['module', 'main'],
    bundle: true,
    keepNames: true,
    minify: NODEJS_BUNDLING.minify,
    sourcemap: NODEJS_BUNDLING.sourcemap ? 'linked' : false,
    external: [...SST_FORCE_EXTERNAL, ...NODEJS_BUNDLING.install],
    banner: { js: SST_ESM_BANNER },
    plugins: lambdaPlugins,
    metafile: true,
    logLevel: 'warning',
  };
}
