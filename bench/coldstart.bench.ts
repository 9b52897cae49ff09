/**
 * `npm run bench:coldstart`: size and cold start of the deployed bundles, beside — in the same run,
 * built with the same options — a bundle of only the libraries a vend needs (the "library floor")
 * and a bare STS-client handler.
 *
 * Cold start = a fresh Node process: import the bundle, then the first invocation without a token.
 * That invocation writes its audit event: DynamoDB (and STS) are a local stand-in answering at once,
 * so the SDK's first-request cost counts but the network's does not. Reported two ways: inside the process (import + first invocation, what Lambda's INIT +
 * first INVOKE add on top of the runtime) and the whole process (including Node's own start).
 * Rounds are interleaved across bundles so machine noise hits them alike; medians are compared.
 * Results: bench/results/coldstart.json. Measured on this machine, not on Lambda's arm64.
 */
import { execFile } from 'node:child_process';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arch, cpus, loadavg, platform } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import { esbuildOptions } from '../infra/build.js';
import { FUNCTIONS, type FunctionName } from '../infra/functions.js';
import { apiEvent, offlineEnvironment } from '../infra/lambda-event.js';

const run = promisify(execFile);
const BUILD_DIR = 'dist/bench';
const RESULTS = 'bench/results/coldstart.json';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 2;
const TARGETS = { sizeVsFloor: 1.2, coldStartVsBareSts: 1.3 } as const;

/** The libraries a vend needs, initialised as a handler would, and nothing else. */
const FLOOR_SOURCE = `
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import middy from '@middy/core';
const sts = new STSClient({});
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const verifier = CognitoJwtVerifier.create({ userPoolId: 'eu-west-1_Bench1', clientId: 'bench', tokenUse: 'access' });
globalThis.__tesseraFloor = [AssumeRoleCommand, PutCommand, QueryCommand, sts, ddb, verifier];
export const handler = middy(async () => ({ statusCode: 401, body: '' }));
`;

/** A handler with an STS client created at init, answering without a call. */
const BARE_STS_SOURCE = `
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
const sts = new STSClient({});
globalThis.__tesseraBare = [AssumeRoleCommand, sts];
export const handler = async () => ({ statusCode: 401, body: '' });
`;

/**
 * Stands in for DynamoDB and STS: answers every call `{}` at once. The first invocation writes
 * its audit event (a 401 is a decision too), so the SDK's first request is part of the cold start;
 * this measures its client-side cost without the network's (offline, DNS would fail and retry).
 */
async function startAwsStub(): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{}');
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

interface Subject {
  readonly name: string;
  readonly file: string;
  readonly env: Record<string, string>;
  readonly event: unknown;
}

interface Sample {
  readonly importMs: number;
  readonly firstInvokeMs: number;
  readonly inProcessMs: number;
  readonly processMs: number;
  readonly statusCode: number | undefined;
}

async function buildSource(
  name: string,
  source: string,
  overrides: BuildOptions = {},
): Promise<string> {
  const entry = join(BUILD_DIR, `${name}.entry.mjs`);
  const file = join(BUILD_DIR, `${name}.mjs`);
  await writeFile(entry, source);
  await build({ ...esbuildOptions(entry, file), ...overrides });
  return file;
}

/** A handler built as deployed (the same options as `npm run bundle`), fresh for this run. */
async function deployedBundle(fn: FunctionName): Promise<string> {
  const file = join(BUILD_DIR, `${fn}.mjs`);
  await build(esbuildOptions(FUNCTIONS[fn].source, file));
  return file;
}

/** One cold start: a fresh `node`, import, first invocation; timings from inside and outside. */
async function coldStart(subject: Subject): Promise<Sample> {
  const script = `
    const t0 = performance.now();
    const { handler } = await import(${JSON.stringify(resolve(subject.file))});
    const imported = performance.now();
    const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10000 };
    const res = await handler(${JSON.stringify(subject.event)}, context);
    const t1 = performance.now();
    process.stdout.write('\\n' + JSON.stringify({ importMs: imported - t0, ms: t1 - t0, statusCode: res?.statusCode }));`;
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ...subject.env,
  };
  const started = performance.now();
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
  const processMs = performance.now() - started;
  const last = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    importMs: number;
    ms: number;
    statusCode?: number;
  };
  return {
    importMs: last.importMs,
    firstInvokeMs: last.ms - last.importMs,
    inProcessMs: last.ms,
    processMs,
    statusCode: last.statusCode,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  await mkdir(BUILD_DIR, { recursive: true });
  const credentials = await deployedBundle('credentials');
  const floor = await buildSource('library-floor', FLOOR_SOURCE);
  // For reference only: esbuild's defaults for node resolve CommonJS builds first (no tree-shaking
  // of the SDK); SST resolves `module` first. Compared against, a floor looks ~50% bigger.
  const cjsFloor = await buildSource('library-floor-cjs', FLOOR_SOURCE, {
    mainFields: ['main', 'module'],
  });
  const bareSts = await buildSource('bare-sts', BARE_STS_SOURCE);
  const event = apiEvent({ method: 'POST', path: '/v1/credentials' });
  const aws = await startAwsStub();
  const subjects: Subject[] = [
    {
      name: 'credentials (configured, no token)',
      file: credentials,
      env: offlineEnvironment(aws.url),
      event,
    },
    { name: 'credentials (no configuration)', file: credentials, env: {}, event },
    { name: 'library floor', file: floor, env: {}, event },
    { name: 'bare STS handler', file: bareSts, env: {}, event },
    { name: 'library floor, CommonJS-first (ref.)', file: cjsFloor, env: {}, event },
  ];
  const samples = new Map<string, Sample[]>(subjects.map((s) => [s.name, []]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const subject of subjects) {
      const sample = await coldStart(subject);
      if (round >= WARMUP) samples.get(subject.name)?.push(sample);
    }
  }
  aws.close();
  const summary = await Promise.all(
    subjects.map(async (subject) => {
      const taken = samples.get(subject.name) ?? [];
      const inside = taken.map((s) => s.inProcessMs);
      const whole = taken.map((s) => s.processMs);
      return {
        name: subject.name,
        file: subject.file,
        bytes: (await stat(subject.file)).size,
        statusCodes: [...new Set(taken.map((s) => s.statusCode))],
        importAndFirstInvokeMs: {
          median: round1(median(inside)),
          p90: round1(percentile(inside, 90)),
        },
        importMedianMs: round1(median(taken.map((s) => s.importMs))),
        firstInvokeMedianMs: round1(median(taken.map((s) => s.firstInvokeMs))),
        processMs: { median: round1(median(whole)), p90: round1(percentile(whole, 90)) },
      };
    }),
  );
  const [configured, , floorResult, bare, cjsFloorResult] = summary;
  if (!configured || !floorResult || !bare || !cjsFloorResult) throw new Error('missing subject');
  const sizeRatio = configured.bytes / floorResult.bytes;
  const coldRatio = configured.importAndFirstInvokeMs.median / bare.importAndFirstInvokeMs.median;
  const processRatio = configured.processMs.median / bare.processMs.median;
  const results = {
    measuredAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: platform(),
      arch: arch(),
      cpu: cpus()[0]?.model ?? 'unknown',
      cpus: cpus().length,
      loadAverage1m: round2(loadavg()[0] ?? 0),
    },
    rounds: ROUNDS,
    subjects: summary,
    targets: {
      sizeVsFloor: {
        ratio: round2(sizeRatio),
        vsCommonJsFirstFloor: round2(configured.bytes / cjsFloorResult.bytes),
        max: TARGETS.sizeVsFloor,
        met: sizeRatio <= TARGETS.sizeVsFloor,
      },
      coldStartVsBareSts: {
        /** Import + first invocation, inside the process (Node's own start excluded). */
        inProcessRatio: round2(coldRatio),
        /** The whole fresh process, Node's start included (how "~125 ms for bare STS" reads). */
        processRatio: round2(processRatio),
        max: TARGETS.coldStartVsBareSts,
        metInProcess: coldRatio <= TARGETS.coldStartVsBareSts,
        metWholeProcess: processRatio <= TARGETS.coldStartVsBareSts,
      },
    },
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  for (const s of summary) {
    console.log(
      `${s.name.padEnd(38)} ${(s.bytes / 1024).toFixed(1).padStart(7)} KiB  import+invoke ${s.importAndFirstInvokeMs.median} ms (p90 ${s.importAndFirstInvokeMs.p90}; import ${s.importMedianMs}, 1st invoke ${s.firstInvokeMedianMs})  process ${s.processMs.median} ms  -> ${s.statusCodes.join('/')}`,
    );
  }
  console.log(
    `size vs floor ${results.targets.sizeVsFloor.ratio} (max ${TARGETS.sizeVsFloor}); vs a CommonJS-first floor ${results.targets.sizeVsFloor.vsCommonJsFirstFloor}`,
  );
  console.log(
    `cold start vs bare STS ${results.targets.coldStartVsBareSts.inProcessRatio} in-process, ${results.targets.coldStartVsBareSts.processRatio} whole process (max ${TARGETS.coldStartVsBareSts})`,
  );
  console.log(`written: ${RESULTS}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
