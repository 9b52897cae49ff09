/**
 * `npm run bundle`: builds every handler exactly as `sst deploy` does (options from
 * `infra/build.ts`) into `dist/lambda/<function>.mjs`, then checks each bundle in fresh Node
 * processes without a token — with no configuration, and configured but with AWS unreachable: it
 * must import and answer (the vend function: a 401 or 503 problem), never crash. A handler whose
 * source does not exist yet is skipped, loudly.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions, NEVER_BUNDLED } from '../infra/build.js';
import { deployedRoutes, FUNCTIONS, type FunctionName, functionNames } from '../infra/functions.js';
import { apiEvent, offlineEnvironment } from '../infra/lambda-event.js';

const OUT_DIR = 'dist/lambda';
const run = promisify(execFile);

/** Statuses a bundle may answer with no configuration and no token. */
const ACCEPTED: Readonly<Record<FunctionName, readonly number[]>> = {
  credentials: [401, 503],
  roles: [401, 503],
  health: [200, 503],
  'admin-bindings': [401, 403, 503],
  simulate: [401, 503],
  console: [401, 503],
  audit: [401, 503],
};

/**
 * What the vend path never needs: the IAM client and the binding writer's code. No bundle carries
 * the SDK's default credential chain or event-stream support (`NEVER_BUNDLED`, checked for all).
 */
const KEPT_OUT_OF_VEND = [
  /node_modules\/@aws-sdk\/client-iam\//,
  /broker\/(src|dist)\/(adapters\/iam|aws-iam)\./,
  /admin/,
];

interface Built {
  readonly fn: FunctionName;
  readonly file: string;
  readonly bytes: number;
  readonly inputs: readonly string[];
  /** Bytes in the output per package (`node_modules` package, or workspace package's dir). */
  readonly byPackage: ReadonlyMap<string, number>;
}

/** `node_modules/@aws-sdk/core/dist-es/x.js` -> `@aws-sdk/core`; `packages/broker/dist/x.js` -> `packages/broker`. */
function packageOf(input: string): string {
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inModules) return inModules[1]!;
  return input.split('/').slice(0, 2).join('/');
}

async function bundle(fn: FunctionName): Promise<Built | null> {
  const source = FUNCTIONS[fn].source;
  if (!existsSync(source)) {
    console.warn(`bundle: SKIPPED ${fn}: ${source} does not exist yet`);
    return null;
  }
  const file = join(OUT_DIR, `${fn}.mjs`);
  const result = await build(esbuildOptions(source, file));
  await writeFile(join(OUT_DIR, `${fn}.meta.json`), JSON.stringify(result.metafile));
  // What the output carries: files esbuild read but tree-shook away entirely do not count.
  const output = Object.values(result.metafile?.outputs ?? {}).find(
    (o) => o.entryPoint !== undefined,
  );
  const carried = Object.entries(output?.inputs ?? {}).filter(
    ([, contribution]) => contribution.bytesInOutput > 0,
  );
  const byPackage = new Map<string, number>();
  for (const [input, contribution] of carried) {
    const pkg = packageOf(input);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + contribution.bytesInOutput);
  }
  return {
    fn,
    file,
    bytes: (await stat(file)).size,
    inputs: carried.map(([input]) => input),
    byPackage,
  };
}

/** The two ways a bundle must cope at its first invocation, without a token. */
const SCENARIOS = [
  { label: 'no configuration', env: {} },
  // DynamoDB and STS at a closed port: the audit write fails, and the answer must still come.
  { label: 'configured, AWS unreachable', env: offlineEnvironment('http://127.0.0.1:9') },
] as const;

/** Imports the bundle in a fresh `node` (no loader, no inherited environment) and invokes it once. */
async function smoke(built: Built, env: Record<string, string>): Promise<string> {
  const route = deployedRoutes().find((r) => r.function === built.fn);
  if (route === undefined) throw new Error(`bundle: no route serves ${built.fn}`);
  const script = `
    const { handler } = await import(${JSON.stringify(resolve(built.file))});
    if (typeof handler !== 'function') throw new Error('no exported handler');
    const res = await handler(${JSON.stringify(apiEvent(route))}, { awsRequestId: 'smoke', getRemainingTimeInMillis: () => 10000 });
    const headers = Object.fromEntries(Object.entries(res?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    console.log(JSON.stringify({ statusCode: res?.statusCode, type: headers['content-type'] }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env,
    },
  });
  const answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    statusCode?: number;
    type?: string;
  };
  if (answer.statusCode === undefined || !ACCEPTED[built.fn].includes(answer.statusCode)) {
    throw new Error(`bundle: ${built.fn} answered ${JSON.stringify(answer)} without a token`);
  }
  return `${answer.statusCode} ${answer.type ?? ''}`.trim();
}

async function main(): Promise<void> {
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  const built = (await Promise.all(functionNames().map(bundle))).filter(
    (b): b is Built => b !== null,
  );
  for (const b of built) {
    console.log(`bundle: ${b.file} ${(b.bytes / 1024).toFixed(1)} KiB`);
    for (const scenario of SCENARIOS) {
      console.log(`  ${scenario.label}, no token -> ${await smoke(b, scenario.env)}`);
    }
  }
  for (const b of built) {
    const chain = b.inputs.filter((input) => NEVER_BUNDLED.some((re) => re.test(input)));
    if (chain.length > 0) {
      throw new Error(
        `bundle: ${b.fn} carries the default credential chain or event streams:\n  ${chain.join('\n  ')}`,
      );
    }
  }
  console.log('bundle: no bundle carries the default credential chain or event-stream code');
  const vend = built.find((b) => b.fn === 'credentials');
  if (vend === undefined) throw new Error('bundle: the vend function (credentials) was not built');
  const intruders = vend.inputs.filter((input) => KEPT_OUT_OF_VEND.some((re) => re.test(input)));
  if (intruders.length > 0) {
    throw new Error(
      `bundle: the vend bundle carries what it never needs:\n  ${intruders.join('\n  ')}`,
    );
  }
  console.log('bundle: the vend bundle carries no IAM client and no admin code');
  const largest = [...vend.byPackage].sort((a, b) => b[1] - a[1]).slice(0, 12);
  console.log(
    `bundle: what the vend bundle carries most (of ${(vend.bytes / 1024).toFixed(1)} KiB):`,
  );
  for (const [pkg, bytes] of largest)
    console.log(`  ${(bytes / 1024).toFixed(1).padStart(6)} KiB  ${pkg}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
