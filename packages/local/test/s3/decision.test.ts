/**
 * One implementation, no drift: for generated session policies, session tags, buckets and
 * requests, what the local S3 answers over HTTP (a signed request from a real role session) is
 * what `evaluate` of @tessera/policy decides for (the role's permission policies ∩ the session
 * policy, plus the bucket policy, cross-account when the bucket is another account's), with the
 * condition keys AWS documents for the request. The expected side is built here from the raw
 * config documents; the server's side runs through SigV4, routing, the request context and
 * authorization.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { type ContextValue, evaluate, parsePolicy } from '@tessera/policy';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalServer } from '../../src/http.js';
import { Directory } from '../../src/iam/directory.js';
import { DEFAULT_CONFIG_PATH, parseLocalConfig } from '../../src/index.js';
import { compileBuckets } from '../../src/s3/buckets.js';
import { startS3 } from '../../src/s3/server.js';
import { ObjectStore } from '../../src/s3/storage.js';
import { SessionRegistry } from '../../src/sts/sessions.js';
import type { LocalConfig } from '../../src/types.js';
import { tempHome } from '../helpers.js';

const MAIN = '111111111111';
const PARTNER = '222222222222';
const SESSION = 'prop-session';
const KEYS = ['uploads/u1/a.jpg', 'uploads/u2/a.jpg', 'shared/x', 'top'];
const ROLES = ['app-upload', 'eng-readonly'] as const;
const sessionArn = (role: string) => `arn:aws:sts::${MAIN}:assumed-role/${role}/${SESSION}`;

/** Buckets with the policy shapes the combining rule distinguishes. */
const BUCKETS = [
  { name: 'prop-plain', account: MAIN, cors: [] },
  {
    name: 'prop-media',
    account: MAIN,
    cors: [],
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RoleReadsShared',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${MAIN}:role/app-upload` },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::prop-media/shared/*',
        },
        {
          Sid: 'SessionLists',
          Effect: 'Allow',
          Principal: { AWS: sessionArn('app-upload') },
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::prop-media',
        },
        {
          Sid: 'NoPublicObjects',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::prop-media/*',
          Condition: { StringEquals: { 's3:x-amz-acl': 'public-read' } },
        },
      ],
    },
  },
  {
    name: 'prop-partner',
    account: PARTNER,
    cors: [],
    policy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${MAIN}:role/eng-readonly` },
          Action: ['s3:GetObject', 's3:ListBucket'],
          Resource: ['arn:aws:s3:::prop-partner', 'arn:aws:s3:::prop-partner/*'],
        },
      ],
    },
  },
] as const;

type Operation =
  | { kind: 'get' | 'head' | 'delete'; key: string }
  | { kind: 'put'; key: string; acl: 'private' | 'public-read' | undefined }
  | {
      kind: 'list';
      prefix: string | undefined;
      delimiter: string | undefined;
      maxKeys: number | undefined;
    };

const resourceArb = fc.constantFrom(
  'arn:aws:s3:::${bucket}/uploads/${aws:PrincipalTag/sub}/*',
  'arn:aws:s3:::${bucket}/uploads/*',
  'arn:aws:s3:::${bucket}/shared/*',
  'arn:aws:s3:::${bucket}',
  'arn:aws:s3:::prop-*',
  'arn:aws:s3:::*/*',
  '*',
);
const conditionArb = fc.option(
  fc.constantFrom(
    { StringLike: { 's3:prefix': 'uploads/${aws:PrincipalTag/sub}/*' } },
    { StringEquals: { 's3:delimiter': '/' } },
    { NumericLessThanEquals: { 's3:max-keys': '10' } },
    { StringEquals: { 's3:x-amz-acl': 'private' } },
    { StringEquals: { 'aws:PrincipalTag/sub': 'u1' } },
    { Bool: { 'aws:SecureTransport': 'false' } },
  ),
  { nil: undefined },
);
const statementArb = (bucket: string) =>
  fc
    .record({
      Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
      Action: fc.subarray(
        ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject', 's3:Get*', 's3:*'],
        {
          minLength: 1,
        },
      ),
      Resource: fc.array(resourceArb, { minLength: 1, maxLength: 2 }),
      Condition: conditionArb,
    })
    .map(({ Resource, Condition, ...s }) => ({
      ...s,
      Resource: Resource.map((r) => r.replaceAll('${bucket}', bucket)),
      ...(Condition ? { Condition } : {}),
    }));

interface Case {
  readonly bucket: string;
  readonly role: (typeof ROLES)[number];
  readonly sub: string;
  readonly sessionPolicy: { Version: string; Statement: unknown[] } | undefined;
  readonly operation: Operation;
}

const caseArb: fc.Arbitrary<Case> = fc.constantFrom(...BUCKETS.map((b) => b.name)).chain((bucket) =>
  fc.record({
    bucket: fc.constant(bucket),
    role: fc.constantFrom(...ROLES),
    sub: fc.constantFrom('u1', 'u2'),
    sessionPolicy: fc.option(
      fc
        .array(statementArb(bucket), { minLength: 1, maxLength: 3 })
        .map((Statement) => ({ Version: '2012-10-17', Statement })),
      { nil: undefined },
    ),
    operation: fc.oneof(
      fc.record({
        kind: fc.constantFrom('get' as const, 'head' as const, 'delete' as const),
        key: fc.constantFrom(...KEYS),
      }),
      fc.record({
        kind: fc.constant('put' as const),
        key: fc.constantFrom(...KEYS),
        acl: fc.constantFrom('private' as const, 'public-read' as const, undefined),
      }),
      fc.record({
        kind: fc.constant('list' as const),
        prefix: fc.constantFrom('uploads/u1/', 'uploads/', 'shared/', undefined),
        delimiter: fc.constantFrom('/', undefined),
        maxKeys: fc.constantFrom(5, 50, undefined),
      }),
    ) as fc.Arbitrary<Operation>,
  }),
);

/** What IAM evaluates for the case, from the raw documents: the expected decision. */
function expected(raw: LocalConfig, c: Case): boolean {
  const role = raw.roles.find((r) => r.name === c.role)!;
  const bucket = BUCKETS.find((b) => b.name === c.bucket)!;
  const op = c.operation;
  const context: Record<string, ContextValue> = {
    'aws:PrincipalTag/sub': c.sub,
    'aws:SecureTransport': false,
  };
  let action = '';
  let resource = `arn:aws:s3:::${c.bucket}/${'key' in op ? op.key : ''}`;
  switch (op.kind) {
    case 'get':
    case 'head':
      action = 's3:GetObject';
      break;
    case 'delete':
      action = 's3:DeleteObject';
      break;
    case 'put':
      action = 's3:PutObject';
      if (op.acl) context['s3:x-amz-acl'] = op.acl;
      break;
    case 'list':
      action = 's3:ListBucket';
      resource = `arn:aws:s3:::${c.bucket}`;
      if (op.prefix !== undefined) context['s3:prefix'] = op.prefix;
      if (op.delimiter !== undefined) context['s3:delimiter'] = op.delimiter;
      if (op.maxKeys !== undefined) context['s3:max-keys'] = String(op.maxKeys);
      break;
  }
  const result = evaluate({
    request: { action, resource, principal: { type: 'AWS', id: sessionArn(c.role) }, context },
    identityPolicies: Object.values(role.policies),
    sessionPolicies: c.sessionPolicy ? [c.sessionPolicy] : [],
    ...('policy' in bucket ? { resourcePolicy: bucket.policy } : {}),
    crossAccount: bucket.account !== role.account,
  });
  return result.decision === 'Allow';
}

let server: LocalServer;
let registry: SessionRegistry;
let directory: Directory;
let config: LocalConfig;
let store: ObjectStore;
let cleanup: () => void;

/** Every key exists before each request: S3 answers a missing key by ListBucket, another question. */
async function seed(bucket: string) {
  for (const key of KEYS) {
    if (store.head(bucket, key)) continue;
    const meta = {
      key,
      size: 1,
      etag: '9dd4e461268c8034f5c8564e155c67a6',
      checksum: undefined,
      partCount: undefined,
      contentType: 'text/plain',
      metadata: {},
    };
    await store.put(bucket, meta, Buffer.from('x'), new Date());
  }
}

beforeAll(async () => {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  raw.buckets = BUCKETS;
  config = parseLocalConfig(raw, 'decision test config');
  directory = new Directory(config);
  registry = new SessionRegistry();
  const t = tempHome();
  cleanup = t.cleanup;
  const buckets = compileBuckets(config);
  store = new ObjectStore(join(t.home, 's3'), [...buckets.keys()]);
  server = await startS3(
    { registry, region: config.region, now: Date.now, buckets, store },
    { port: 0, fallbackToRandom: false },
  );
});

afterAll(async () => {
  await server?.close();
  cleanup?.();
});

/** Sends the case's request as the session; true unless S3 answered AccessDenied. */
async function served(c: Case): Promise<boolean> {
  await seed(c.bucket);
  const session = registry.issue({
    expiration: new Date(Date.now() + 900_000),
    role: directory.roleByArn(`arn:aws:iam::${MAIN}:role/${c.role}`)!,
    sessionName: SESSION,
    sessionPolicy: c.sessionPolicy ? parsePolicy(c.sessionPolicy) : undefined,
    tags: { sub: c.sub },
    transitiveTagKeys: [],
    sourceIdentity: undefined,
  });
  const s3 = new S3Client({
    region: config.region,
    endpoint: server.url,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: session,
  });
  const op = c.operation;
  const Bucket = c.bucket;
  try {
    switch (op.kind) {
      case 'get':
        await s3.send(new GetObjectCommand({ Bucket, Key: op.key }));
        break;
      case 'head':
        await s3.send(new HeadObjectCommand({ Bucket, Key: op.key }));
        break;
      case 'delete':
        await s3.send(new DeleteObjectCommand({ Bucket, Key: op.key }));
        break;
      case 'put':
        await s3.send(
          new PutObjectCommand({
            Bucket,
            Key: op.key,
            Body: 'x',
            ...(op.acl ? { ACL: op.acl } : {}),
          }),
        );
        break;
      case 'list':
        await s3.send(
          new ListObjectsV2Command({
            Bucket,
            Prefix: op.prefix,
            Delimiter: op.delimiter,
            MaxKeys: op.maxKeys,
          }),
        );
        break;
    }
    return true;
  } catch (err) {
    if (!(err instanceof S3ServiceException)) throw err;
    // HEAD has no body: its 403 is the denial's only sign.
    if (err.$metadata.httpStatusCode === 403) return false;
    throw err;
  } finally {
    s3.destroy();
  }
}

describe('the local S3 decides as evaluate() does', () => {
  it('for generated session policies, tags, buckets (none, same-account, cross-account policy) and requests', async () => {
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const want = expected(config, c);
        const got = await served(c);
        if (got) allowed++;
        expect(got).toBe(want);
      }),
      { numRuns: 300, seed: 20261129 },
    );
    // The generator reaches both answers, not only denials.
    expect(allowed).toBeGreaterThan(20);
  });
});
