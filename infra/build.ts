/**
 * How every handler is built, in one place. `infra/api.ts` hands `LAMBDA_RUNTIME` and
 * `NODEJS_BUNDLING` to `sst.aws.Function`; `npm run bundle` and the cold-start benchmark call
 * `esbuildOptions`, which spells out the esbuild options SST 3.19's builder
 * (`pkg/runtime/node/build.go`) derives from those same settings for a deploy (not `sst dev`).
 * So the bundle measured here is the bundle deployed.
 */
import type { BuildOptions } from 'esbuild';

export const LAMBDA_RUNTIME = { runtime: 'nodejs22.x', architecture: 'arm64' } as const;

/**
 * `sst.aws.Function`'s `nodejs` settings. The AWS SDK is bundled (nothing is external), tree-shaken
 * and minified: the runtime's own SDK copy is neither pinned nor smaller to load. Source maps are
 * generated; SST keeps them out of the function zip and uploads them beside it.
 */
export const NODEJS_BUNDLING = {
  format: 'esm',
  minify: true,
  sourcemap: true,
  install: [],
  banner: '',
} as const;

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
    metafile: true,
    logLevel: 'warning',
  };
}
