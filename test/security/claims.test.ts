/**
 * Claim injection, property-tested: for every generated claim set (hostile strings, arrays,
 * numbers, nested objects) rendered through the seeded bindings, either the vend is refused, or
 * the vended session's scope — the role's permission policies from the local IAM configuration ∩
 * the rendered session policy, with the session tags and SourceIdentity as request context,
 * evaluated by @tessera/policy — is never wider than the binding intends, and every tag,
 * SourceIdentity, session name and policy satisfies STS's documented constraints.
 *
 * Most runs go through the broker in process: tokens signed with RS256 and verified by the real
 * Cognito verifier (aws-jwt-verify plus the token-shape layer), the seeded bindings validated as
 * the seed validates them, the real decision pipeline, and a vendor that records the AssumeRole
 * parameters. A sampled subset goes end to end through the local stack: tokens signed with the
 * pool's key, POST /v1/credentials, and the vended credentials tried against the local S3 with
 * the AWS SDK (the local STS holds the same constraints as AWS: anything it refused would be a
 * 5xx here). A failure prints fast-check's seed and counterexample; TESSERA_CLAIMS_SEED=<seed>
 * replays the run (TESSERA_CLAIMS_RUNS / TESSERA_CLAIMS_E2E_RUNS change the counts).
 */
import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type AssumeRoleParams,
  type Binding,
  checkBinding,
  createBroker,
  systemClock,
} from '@tessera/broker';
import { CognitoTokenVerifier } from '@tessera/broker/aws';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
} from '@tessera/broker/testing';
import {
  DEFAULT_CONFIG_PATH,
  type LocalConfig,
  type LocalStack,
  loadLocalConfig,
  startStack,
} from '@tessera/local';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUCKET,
  type ClaimChoice,
  claimChoice,
  intended,
  mostlyStringSub,
  payloadOf,
  probesFor,
  rolePolicies,
  sessionAllows,
  stsViolations,
} from './support/claims.js';
import './support/meta.js';

/** In-process runs (the suite's ≥ 10,000 with the end-to-end sample); overridable for a quick try. */
const RUNS = Number(process.env.TESSERA_CLAIMS_RUNS ?? 10_000);
const E2E_RUNS = Number(process.env.TESSERA_CLAIMS_E2E_RUNS ?? 96);
const config: LocalConfig = loadLocalConfig(DEFAULT_CONFIG_PATH);
const ISSUER = `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
const CLIENTS = Object.fromEntries(config.clients.map((c) => [c.name, c.clientId]));
const ROLES = config.bindings.map((b) => String(b.id));

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function signed(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}

/** The seeded bindings, validated as the seed validates them (role facts from the config). */
function seededBindings(): Binding[] {
  return config.bindings.map((raw) => {
    const role = config.roles.find(
      (r) => `arn:aws:iam::${r.account}:role${r.path ?? '/'}${r.name}` === raw.roleArn,
    );
    const checked = checkBinding({
      ...raw,
      version: 1,
      updatedAt: '2026-01-01T00:00:00.000Z',
      updatedBy: 'claims.test',
      roleMaxSessionDuration: role?.maxSessionDuration ?? 3600,
      roleDescription: role?.description ?? '',
      permissionPolicies: null,
    });
    if (!checked.ok) throw new Error(`seed binding ${String(raw.id)} does not validate`);
    return checked.value.binding;
  });
}

const SEEDED = seededBindings();

/** Everything wrong with one granted session (empty: refused or within the binding's intent). */
function problemsOf(bindingId: string, params: AssumeRoleParams, choice: ClaimChoice): string[] {
  const problems = stsViolations(params).map((v) => `STS would refuse: ${v}`);
  const binding = SEEDED.find((b) => b.id === bindingId)!;
  const identity = rolePolicies(config, binding.roleArn);
  if (typeof choice.sub !== 'string') problems.push('granted with a sub that is not a string');
  const sub = String(choice.sub);
  if (binding.sessionTags['sub'] !== undefined) {
    const tag = params.Tags.find((t) => t.Key === 'sub');
    if (tag?.Value !== sub) problems.push('the sub tag is not the caller’s sub');
  }
  // Every session carries a SourceIdentity: the binding's (here the username), else the username,
  // else the sub (a binding naming none, when the username claim is not a string).
  const expectedIdentity =
    binding.sourceIdentity === undefined && typeof choice.username !== 'string'
      ? sub
      : choice.username;
  if (params.SourceIdentity !== expectedIdentity)
    problems.push('SourceIdentity is not the caller’s username (else its sub)');
  const others = [choice.username, choice.team, choice.email].filter(
    (v): v is string => typeof v === 'string' && v !== sub,
  );
  for (const probe of probesFor(sub, others)) {
    if (
      sessionAllows(identity, params, probe) &&
      !intended(bindingId, sub, identity, params, probe)
    )
      problems.push(`allows ${probe.action} on ${probe.resource}`);
  }
  return problems;
}

describe('claim injection (in process, the real verifier, pipeline and evaluator)', () => {
  it(`refuses, or vends a session no wider than the binding intends, for ${RUNS} generated claim sets`, async ({
    task,
  }) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = {
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
    };
    const verifier = new CognitoTokenVerifier([
      { userPoolId: config.userPoolId, clientIds: Object.values(CLIENTS), tokenUse: 'id', jwks },
    ]);
    const vendor = new MemoryCredentialVendor();
    const audit = new MemoryAuditSink();
    const broker = createBroker({
      verifier,
      bindings: new MemoryBindingStore(SEEDED),
      vendor,
      webIdentityVendor: vendor,
      audit,
      clock: systemClock,
    });
    const tally = { runs: 0, granted: 0, refused: 0, byBinding: {} as Record<string, number> };
    await fc.assert(
      fc.asyncProperty(claimChoice(ROLES, mostlyStringSub), async (choice) => {
        tally.runs += 1;
        const payload = payloadOf(choice, {
          iss: ISSUER,
          clients: CLIENTS,
          now: Math.floor(Date.now() / 1000),
        });
        const calls = vendor.calls.length;
        audit.events.length = 0;
        const outcome = await broker.vend({
          rawToken: signed(payload, privateKey, 'k1'),
          role: choice.role,
          origin: { sourceIp: '203.0.113.7', userAgent: 'claims.test', secureTransport: true },
        });
        expect(audit.events).toHaveLength(1);
        if (outcome.kind !== 'grant') {
          tally.refused += 1;
          expect(vendor.calls.length).toBe(calls); // refused before STS: no credentials exist
          return;
        }
        tally.granted += 1;
        tally.byBinding[choice.role] = (tally.byBinding[choice.role] ?? 0) + 1;
        const params = vendor.calls.at(-1)!;
        expect(problemsOf(outcome.value.bindingId, params, choice)).toEqual([]);
      }),
      { numRuns: RUNS, seed: Number(process.env.TESSERA_CLAIMS_SEED ?? Date.now() % 2 ** 31) },
    );
    task.meta.security = {
      suite: 'claims',
      runs: tally.runs,
      granted: tally.granted,
      refused: tally.refused,
    };
    expect(tally.runs).toBe(RUNS);
    // Not vacuous: both branches are taken, through every seeded binding.
    expect(tally.granted).toBeGreaterThan(RUNS / 20);
    expect(tally.refused).toBeGreaterThan(RUNS / 4);
    for (const id of ROLES) expect(tally.byBinding[id] ?? 0).toBeGreaterThan(0);
  }, 240_000);
});

describe('claim injection (end to end: local stack, real S3 through the AWS SDK)', () => {
  let stack: LocalStack;
  let home: string;
  let poolKey: KeyObject;
  let poolKid: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'tessera-claims-'));
    stack = await startStack({ home, ports: 0 });
    const stored = JSON.parse(readFileSync(join(home, 'keys', 'issuer.json'), 'utf8')) as {
      keys: { kid: string; privateJwk: Record<string, unknown> }[];
    };
    const active = stored.keys.at(-1)!;
    poolKid = active.kid;
    poolKey = createPrivateKey({ key: active.privateJwk as never, format: 'jwk' });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  function s3For(c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) {
    return new S3Client({
      region: stack.info.region,
      endpoint: stack.info.s3,
      forcePathStyle: true,
      credentials: {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        sessionToken: c.sessionToken,
      },
      maxAttempts: 1,
    });
  }

  async function put(s3: S3Client, key: string): Promise<'ok' | string> {
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
      return 'ok';
    } catch (err) {
      return (err as Error).name;
    }
  }

  it(`refuses, or vends credentials S3 confines to the caller's prefix, for ${E2E_RUNS} sampled claim sets`, async ({
    task,
  }) => {
    const seed = Number(process.env.TESSERA_CLAIMS_SEED ?? Date.now() % 2 ** 31);
    // app-upload is the binding whose scope depends on a claim: most samples ask for it.
    const choices = fc.sample(
      fc
        .tuple(claimChoice(ROLES, mostlyStringSub), fc.nat(3))
        .map(([c, n]) => (n < 3 ? { ...c, role: 'app-upload' } : c)),
      { numRuns: E2E_RUNS, seed },
    );
    const tally = { runs: 0, granted: 0, refused: 0, s3Checks: 0 };
    const wrong: unknown[] = [];
    for (const choice of choices) {
      tally.runs += 1;
      const now = Math.floor(Date.now() / 1000);
      const payload = payloadOf(choice, {
        iss: stack.info.issuer.url,
        clients: stack.info.issuer.clients,
        now,
      });
      const res = await fetch(`${stack.info.api}/v1/credentials`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${signed(payload, poolKey, poolKid)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ role: choice.role }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status >= 500) wrong.push({ choice, status: res.status, body });
      if (res.status !== 200) {
        tally.refused += 1;
        if ('credentials' in body) wrong.push({ choice, status: res.status, credentials: true });
        continue;
      }
      tally.granted += 1;
      const creds = body.credentials as {
        accessKeyId: string;
        secretAccessKey: string;
        sessionToken: string;
      };
      if (choice.role !== 'app-upload') {
        if (body.sourceIdentity !== choice.username)
          wrong.push({ choice, sourceIdentity: body.sourceIdentity });
        continue;
      }
      const s3 = s3For(creds);
      const sub = String(choice.sub);
      // The generator can draw the victim's own name as the caller's sub; the victim is someone else.
      const victim = sub === 'victim-0000' ? 'victim-0001' : 'victim-0000';
      const answers = {
        own: await put(s3, `uploads/${sub}/claims-e2e.txt`),
        victim: await put(s3, `uploads/${victim}/claims-e2e.txt`),
        root: await put(s3, 'claims-e2e.txt'),
        sibling: await put(s3, `uploads/${sub}x/claims-e2e.txt`),
      };
      tally.s3Checks += 4;
      const expected = {
        own: 'ok',
        victim: 'AccessDenied',
        root: 'AccessDenied',
        sibling: 'AccessDenied',
      };
      if (JSON.stringify(answers) !== JSON.stringify(expected)) wrong.push({ sub, answers });
      s3.destroy();
    }
    task.meta.security = {
      suite: 'claims-e2e',
      runs: tally.runs,
      granted: tally.granted,
      refused: tally.refused,
    };
    expect(wrong).toEqual([]);
    expect(tally.granted).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  }, 240_000);
});
