/**
 * The local S3 through real clients: @aws-sdk/client-s3, boto3 and the AWS CLI, with
 * credentials vended through the stack's HTTP API. Job 1: alice's app-upload session writes under
 * uploads/<her sub>/ and nowhere else, and reads and lists nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_PATH,
  type LocalStack,
  parseLocalConfig,
  startStack,
} from '../../src/index.js';
import { tempHome } from '../helpers.js';
import { awsEnv, boto3, type Credentials, run, type Vended, vend } from './clients.js';

const BUCKET = 'tessera-local-media';
const DEVELOPER = 'arn:aws:iam::111111111111:user/developer';

/** The committed config, plus a bucket policy statement granting the IAM user `developer` the bucket. */
function config() {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  raw.buckets[0].policy.Statement.push({
    Sid: 'DeveloperManagesTheBucket',
    Effect: 'Allow',
    Principal: { AWS: DEVELOPER },
    Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
    Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  });
  return parseLocalConfig(raw, 's3 test config');
}

let stack: LocalStack;
let cleanup: () => void;
let home: string;
/** Added to the stack's clock (and to the JS SDK's signing clock) to expire things. */
const offset = 0;
let alice: Vended;
let developer: Credentials;

const client = (credentials: Credentials) =>
  new S3Client({
    region: stack.info.region,
    endpoint: stack.info.s3,
    forcePathStyle: true,
    credentials,
    systemClockOffset: offset,
    maxAttempts: 1,
  });

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof S3ServiceException)
      return { name: err.name, status: err.$metadata.httpStatusCode };
    throw err;
  }
  throw new Error('expected the request to be refused');
}

beforeAll(async () => {
  ({ home, cleanup } = tempHome());
  stack = await startStack({ home, ports: 0, config: config(), clock: () => Date.now() + offset });
  alice = await vend(stack, 'alice', 'app-upload');
  const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
  developer = { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey };
});

afterAll(async () => {
  await stack?.stop();
  cleanup?.();
});

describe('job 1 with @aws-sdk/client-s3', () => {
  it('alice puts under uploads/<her sub>/ (CRC32 checked) and nowhere else; she cannot read or list', async () => {
    const s3 = client(alice.credentials);
    const own = `uploads/${alice.sub}/sdk.txt`;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: own, Body: 'hello from the SDK' }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update('hello from the SDK').digest('hex')}"`);
    expect(put.ChecksumCRC32).toBeDefined();

    const other = await failure(
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/someone-else/sdk.txt', Body: 'x' }),
      ),
    );
    expect(other).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: own })))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    expect(
      await failure(
        s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `uploads/${alice.sub}/` })),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    // A public ACL is refused by the bucket policy's explicit Deny, even under her own prefix.
    expect(
      await failure(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: own, Body: 'x', ACL: 'public-read' })),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });

    const stored = await client(developer).send(new GetObjectCommand({ Bucket: BUCKET, Key: own }));
    expect(await stored.Body!.transformToString()).toBe('hello from the SDK');
  });

  it('a tampered secret gets SignatureDoesNotMatch, an unknown key InvalidAccessKeyId', async () => {
    const key = `uploads/${alice.sub}/tampered.txt`;
    const tampered = {
      ...alice.credentials,
      secretAccessKey: `${alice.credentials.secretAccessKey.slice(0, -1)}x`,
    };
    expect(
      await failure(
        client(tampered).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })),
      ),
    ).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    const unknown = { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) };
    expect(
      await failure(
        client(unknown).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })),
      ),
    ).toEqual({
      name: 'InvalidAccessKeyId',
      status: 403,
    });
  });
});

describe('job 1 with boto3 and the AWS CLI', () => {
  it('boto3 puts under her prefix; another prefix, GetObject and ListObjectsV2 answer AccessDenied', async () => {
    const own = `uploads/${alice.sub}/boto3.txt`;
    const res = await boto3(
      stack.info.s3,
      alice.credentials,
      stack.info.region,
      `
put = s3.put_object(Bucket=${JSON.stringify(BUCKET)}, Key=${JSON.stringify(own)}, Body=b'hello from boto3')
out({'etag': put['ETag']})
out(attempt(lambda: s3.put_object(Bucket=${JSON.stringify(BUCKET)}, Key='uploads/someone-else/boto3.txt', Body=b'x')))
out(attempt(lambda: s3.get_object(Bucket=${JSON.stringify(BUCKET)}, Key=${JSON.stringify(own)})))
out(attempt(lambda: s3.list_objects_v2(Bucket=${JSON.stringify(BUCKET)}, Prefix='uploads/')))
`,
    );
    expect(res.stderr).toBe('');
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      etag: `"${createHash('md5').update('hello from boto3').digest('hex')}"`,
    });
    expect(lines.slice(1)).toEqual([
      { error: 'AccessDenied' },
      { error: 'AccessDenied' },
      { error: 'AccessDenied' },
    ]);
    const head = await client(developer).send(new HeadObjectCommand({ Bucket: BUCKET, Key: own }));
    expect(head.ContentLength).toBe('hello from boto3'.length);
  });

  it('aws s3 cp uploads a small file and a 20 MB file (multipart) under her prefix, not elsewhere', async () => {
    const env = awsEnv(alice.credentials, stack.info.region);
    const small = join(home, 'small.txt');
    const large = join(home, 'large.bin');
    writeFileSync(small, 'hello from the CLI');
    const data = randomBytes(20 * 1024 * 1024);
    writeFileSync(large, data);
    const cp = (file: string, key: string) =>
      run(
        'aws',
        [
          's3',
          'cp',
          file,
          `s3://${BUCKET}/${key}`,
          '--endpoint-url',
          stack.info.s3,
          '--no-progress',
        ],
        env,
      );

    const a = await cp(small, `uploads/${alice.sub}/cli.txt`);
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    const b = await cp(large, `uploads/${alice.sub}/large.bin`);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const denied = await cp(small, 'uploads/someone-else/cli.txt');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('AccessDenied');

    const got = await client(developer).send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `uploads/${alice.sub}/large.bin` }),
    );
    expect(got.ETag).toMatch(/^"[0-9a-f]{32}-3"$/); // 8 MiB parts: a multipart upload
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
  });
});
