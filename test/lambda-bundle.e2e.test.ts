/**
 * The vend function as deployed: built with the deploy's esbuild options (`infra/build.ts`, the
 * plugins SST reads too), then run in a fresh `node` — no loader, no inherited environment — against
 * the local stack, as Lambda would run it: the execution role's credentials in the environment.
 * The bundle carries no default credential chain, and still signs its calls with those credentials.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptions, NEVER_BUNDLED } from '../infra/build.js';
import { deployedRoutes, FUNCTIONS } from '../infra/functions.js';
import { apiEvent } from '../infra/lambda-event.js';
import { type LocalStack, startStack } from '../packages/local/src/index.js';
import { signIn } from '../packages/local/test/helpers.js';

const run = promisify(execFile);

let dir: string;
let stack: LocalStack;
let bundle: string;
let deployed: Metafile;

/** The inputs that put bytes into the bundle. */
function carried(metafile: Metafile): string[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  return Object.entries(output?.inputs ?? {})
    .filter(([, contribution]) => contribution.bytesInOutput > 0)
    .map(([input]) => input);
}

const neverBundled = (inputs: string[]) =>
  inputs.filter((input) => NEVER_BUNDLED.some((re) => re.test(input)));

/** The handler's configuration as the deploy sets it, pointed at the local stack. */
function functionEnvironment(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_REGION: stack.info.region,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    TESSERA_BINDINGS_TABLE: 'tessera-local-bindings',
    TESSERA_AUDIT_TABLE: 'tessera-local-audit',
    TESSERA_SUBJECTS_TABLE: 'tessera-local-subjects',
    TESSERA_POOLS: JSON.stringify([
      {
        userPoolId: stack.info.issuer.userPoolId,
        clientIds: Object.values(stack.info.issuer.clients),
        tokenUse: stack.info.issuer.tokenUse,
        jwksUri: stack.info.issuer.jwks,
        jwks: stack.keys.jwks(),
      },
    ]),
    TESSERA_ROLE_CHAINING: 'true',
    AWS_ENDPOINT_URL_STS: stack.info.sts,
    AWS_ENDPOINT_URL_DYNAMODB: stack.info.dynamodb,
  };
}

/** One invocation of the bundled handler in a fresh process with this environment. */
async function invoke(token: string, env: Record<string, string>) {
  const route = deployedRoutes().find((r) => r.function === 'credentials' && r.method === 'POST');
  if (route === undefined) throw new Error('no POST route serves the credentials function');
  const event = apiEvent(route, { authorization: `Bearer ${token}` });
  const script = `
    const { handler } = await import(${JSON.stringify(bundle)});
    const res = await handler(${JSON.stringify(event)}, { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10000 });
    process.stdout.write('\\n' + JSON.stringify({ statusCode: res.statusCode, body: res.body }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
  const answer = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    statusCode: number;
    body: string;
  };
  return { status: answer.statusCode, json: JSON.parse(answer.body) as Record<string, unknown> };
}

/** The audit table, read with the store's own client (the local store does not check keys). */
async function auditEvents(): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: stack.info.region,
      endpoint: stack.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const out = await doc.send(new ScanCommand({ TableName: 'tessera-local-audit' }));
  return (out.Items ?? []) as Record<string, unknown>[];
}

async function aliceToken(): Promise<string> {
  const alice = stack.info.users.find((u) => u.username === 'alice');
  if (alice === undefined) throw new Error('the local config has no alice');
  const signedIn = await signIn(
    stack.info.cognitoIdp,
    stack.info.issuer.clients.app!,
    'alice',
    alice.password,
  );
  return stack.info.issuer.tokenUse === 'access'
    ? signedIn.body.AuthenticationResult.AccessToken
    : signedIn.body.AuthenticationResult.IdToken;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-bundle-'));
  bundle = join(dir, 'credentials.mjs');
  const result = await build(esbuildOptions(FUNCTIONS.credentials.source, bundle));
  deployed = result.metafile as Metafile;
  stack = await startStack({ home: join(dir, 'home'), ports: 0 });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the deployed vend bundle', () => {
  it('carries neither the default credential chain nor event-stream code', () => {
    expect(neverBundled(carried(deployed))).toEqual([]);
    expect(carried(deployed)).toContain(
      'node_modules/@aws-sdk/credential-provider-env/dist-es/fromEnv.js',
    );
  });

  it('would carry them without the build plugins (the check above can fail)', async () => {
    const plain = await build({
      ...esbuildOptions(FUNCTIONS.credentials.source, join(dir, 'plain.mjs')),
      plugins: [],
    });
    const found = neverBundled(carried(plain.metafile as Metafile));
    expect(found.some((i) => i.includes('@aws-sdk/credential-provider-node/'))).toBe(true);
    expect(found.some((i) => i.includes('/event-streams/'))).toBe(true);
  });

  it('vends with the credentials in its environment (STS checks their signature)', async () => {
    const broker = await stack.brokerCredentials();
    const { status, json } = await invoke(await aliceToken(), {
      ...functionEnvironment(),
      AWS_ACCESS_KEY_ID: broker.accessKeyId,
      AWS_SECRET_ACCESS_KEY: broker.secretAccessKey,
      AWS_SESSION_TOKEN: broker.sessionToken,
    });
    expect(status).toBe(200);
    const { accessKeyId } = json.credentials as Record<string, string>;
    expect(accessKeyId).toMatch(/^ASIA/);
    const granted = (await auditEvents()).filter((e) => e.result === 'grant');
    expect(granted.map((e) => e.accessKeyId)).toEqual([accessKeyId]);
  });

  it('grants nothing when the environment credentials are not the role session', async () => {
    const broker = await stack.brokerCredentials();
    const { status, json } = await invoke(await aliceToken(), {
      ...functionEnvironment(),
      AWS_ACCESS_KEY_ID: broker.accessKeyId,
      AWS_SECRET_ACCESS_KEY: `${broker.secretAccessKey}x`,
      AWS_SESSION_TOKEN: broker.sessionToken,
    });
    expect(status).toBe(503);
    expect(json.credentials).toBeUndefined();
    // It got as far as STS, which refused the signature: the decision's audit event says so.
    const refused = (await auditEvents()).filter((e) => e.result === 'error');
    expect(refused.map((e) => [e.stage, e.reason])).toEqual([['mint', 'StsUnavailable']]);
  });

  it('fails closed with no credentials in the environment (no other source is tried)', async () => {
    const before = (await auditEvents()).length;
    const { status, json } = await invoke(await aliceToken(), functionEnvironment());
    expect(status).toBe(503);
    expect(json.credentials).toBeUndefined();
    // Nothing could be signed: not the bindings read, not the audit write.
    expect((await auditEvents()).length).toBe(before);
  });
});
