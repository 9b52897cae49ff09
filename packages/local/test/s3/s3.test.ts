/**
 * The local S3 through real clients: @aws-sdk/client-s3, boto3 and the AWS CLI, with
 * credentials vended through the stack's HTTP API. Job 1: alice's app-upload session writes under
 * uploads/<her sub>/ and nowhere else, and reads and lists nothing.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes as u8 } from '../../src/http.js';
import {
  DEFAULT_CONFIG_PATH,
  type LocalStack,
  parseLocalConfig,
  startStack,
} from '../../src/index.js';
import {
  awsCli,
  boto3,
  type ClientEnv,
  type Credentials,
  clientEnv,
  credentialVars,
} from '../clients/run.js';
import { tempHome } from '../helpers.js';
import { type Vended, vend } from './vend.js';

const BUCKET = 'tessera-local-media';
const DEVELOPER = 'arn:aws:iam::111111111111:user/developer';

/** The committed config, plus a bucket policy statement granting the IAM user `developer` the bucket. */
function config() {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  raw.buckets[0].policy.Statement.push({
    Sid: 'DeveloperManagesTheBucket',
    Effect: 'Allow',
    Principal: { AWS: DEVELOPER },
    Action: [
      's3:GetObject',
      's3:PutObject',
      's3:DeleteObject',
      's3:ListBucket',
      's3:AbortMultipartUpload',
    ],
    Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  });
  return parseLocalConfig(raw, 's3 test config');
}

let stack: LocalStack;
let cleanup: () => void;
let home: string;
/** Added to the stack's clock (and to the JS SDK's signing clock) to expire things. */
let offset = 0;
let alice: Vended;
let developer: Credentials;

/** A clean AWS CLI / boto3 environment in its own temp dir; SigV4 presigned URLs for S3. */
function cliEnv(): ClientEnv {
  const dir = mkdtempSync(join(home, 'aws-'));
  return clientEnv(
    dir,
    `[default]\nregion = ${stack.info.region}\ns3 =\n  signature_version = s3v4\n`,
  );
}

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

  it('a tampered secret gets SignatureDoesNotMatch, an unknown key InvalidAccessKeyId, a wrong token InvalidToken', async () => {
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
    const wrongToken = { ...alice.credentials, sessionToken: `${alice.credentials.sessionToken}x` };
    expect(
      await failure(
        client(wrongToken).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })),
      ),
    ).toEqual({ name: 'InvalidToken', status: 400 });
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
    const call = (operation: string, params: Record<string, unknown>) =>
      boto3(cliEnv(), {
        service: 's3',
        endpoint: stack.info.s3,
        region: stack.info.region,
        operation,
        params,
        credentials: alice.credentials,
      });
    const put = await call('put_object', { Bucket: BUCKET, Key: own, Body: 'hello from boto3' });
    expect(put).toEqual({
      ok: true,
      result: expect.objectContaining({
        ETag: `"${createHash('md5').update('hello from boto3').digest('hex')}"`,
      }),
    });
    const denied = { ok: false, code: 'AccessDenied', status: 403, message: 'Access Denied' };
    expect(
      await call('put_object', {
        Bucket: BUCKET,
        Key: 'uploads/someone-else/boto3.txt',
        Body: 'x',
      }),
    ).toEqual(denied);
    expect(await call('get_object', { Bucket: BUCKET, Key: own })).toEqual(denied);
    expect(await call('list_objects_v2', { Bucket: BUCKET, Prefix: 'uploads/' })).toEqual(denied);
    const head = await client(developer).send(new HeadObjectCommand({ Bucket: BUCKET, Key: own }));
    expect(head.ContentLength).toBe('hello from boto3'.length);
  });

  it('aws s3 cp uploads a small file and a 20 MB file (multipart) under her prefix, not elsewhere', async () => {
    const env = cliEnv();
    const small = join(env.dir, 'small.txt');
    const large = join(env.dir, 'large.bin');
    writeFileSync(small, 'hello from the CLI');
    const data = randomBytes(20 * 1024 * 1024);
    writeFileSync(large, u8(data));
    const cp = (file: string, key: string) =>
      awsCli(
        env,
        [
          's3',
          'cp',
          file,
          `s3://${BUCKET}/${key}`,
          '--endpoint-url',
          stack.info.s3,
          '--no-progress',
        ],
        credentialVars(alice.credentials),
      );

    const a = await cp(small, `uploads/${alice.sub}/cli.txt`);
    expect(a.stderr).toBe('');
    expect(a.exitCode).toBe(0);
    const b = await cp(large, `uploads/${alice.sub}/large.bin`);
    expect(b.stderr).toBe('');
    expect(b.exitCode).toBe(0);
    const denied = await cp(small, 'uploads/someone-else/cli.txt');
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toContain('AccessDenied');

    const got = await client(developer).send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `uploads/${alice.sub}/large.bin` }),
    );
    expect(got.ETag).toMatch(/^"[0-9a-f]{32}-3"$/); // 8 MiB parts: a multipart upload
    const bytes = Buffer.from(await got.Body!.transformToByteArray());
    expect(createHash('sha256').update(u8(bytes)).digest('hex')).toBe(
      createHash('sha256').update(u8(data)).digest('hex'),
    );
  });
});

describe('presigned URLs', () => {
  it('a presigned PUT made with alice credentials works with plain fetch, then fails once expired', async () => {
    const key = `uploads/${alice.sub}/presigned.txt`;
    const presigned = await boto3(cliEnv(), {
      service: 's3',
      endpoint: stack.info.s3,
      region: stack.info.region,
      operation: 'put_object',
      params: { Bucket: BUCKET, Key: key },
      presign: 60,
      credentials: alice.credentials,
    });
    if (!presigned.ok) throw new Error(`presign failed: ${presigned.code}`);
    const url = presigned.result as string;
    expect(url).toContain('X-Amz-Signature=');
    const ok = await fetch(url, { method: 'PUT', body: 'via a presigned URL' });
    expect(ok.status).toBe(200);
    const stored = await client(developer).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await stored.Body!.transformToString()).toBe('via a presigned URL');

    // Another key with the same signature: the signature covers the path.
    const moved = await fetch(url.replace('presigned.txt', 'other.txt'), {
      method: 'PUT',
      body: 'x',
    });
    expect(moved.status).toBe(403);
    expect(await moved.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

    offset += 61_000;
    try {
      const late = await fetch(url, { method: 'PUT', body: 'too late' });
      expect(late.status).toBe(403);
      const xml = await late.text();
      expect(xml).toContain('<Code>AccessDenied</Code>');
      expect(xml).toContain('<Message>Request has expired</Message>');
    } finally {
      offset -= 61_000;
    }
  });

  it('a presigned GET from the AWS CLI reads what the bucket policy lets the developer read', async () => {
    const key = `uploads/${alice.sub}/presigned.txt`;
    const res = await awsCli(
      cliEnv(),
      [
        's3',
        'presign',
        `s3://${BUCKET}/${key}`,
        '--endpoint-url',
        stack.info.s3,
        '--expires-in',
        '60',
      ],
      credentialVars(developer),
    );
    expect(res.stderr).toBe('');
    const got = await fetch(res.stdout.trim());
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('via a presigned URL');
  });
});

describe('sessions S3 refuses', () => {
  it('an expired session gets ExpiredToken', async () => {
    const short = await vend(stack, 'alice', 'app-upload');
    offset += 901_000; // past the 900-second session; the SDK signs with the same clock
    try {
      const refused = await failure(
        client(short.credentials).send(
          new PutObjectCommand({ Bucket: BUCKET, Key: `uploads/${short.sub}/late.txt`, Body: 'x' }),
        ),
      );
      expect(refused).toEqual({ name: 'ExpiredToken', status: 400 });
    } finally {
      offset -= 901_000;
    }
  });
});

describe('objects and listing (the developer, granted by the bucket policy)', () => {
  it('ListObjectsV2 with prefix, delimiter, max-keys and continuation; ranges; delete', async () => {
    const s3 = client(developer);
    const keys = ['list/a/1', 'list/a/2', 'list/b', 'list/c/1', 'list/d', 'list/e'];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: 'list/',
          Delimiter: '/',
          MaxKeys: 2,
          ContinuationToken: token,
        }),
      );
      pages++;
      seen.push(
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
        ...(page.Contents ?? []).map((c) => c.Key!),
      );
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      token = page.NextContinuationToken;
    } while (token);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(['list/a/', 'list/b', 'list/c/', 'list/d', 'list/e']);

    const part = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'list/a/1', Range: 'bytes=2-4' }),
    );
    expect(part.ContentRange).toBe('bytes 2-4/8');
    expect(await part.Body!.transformToString()).toBe('st/');
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'list/a/1', Range: 'bytes=100-' })),
      ),
    ).toEqual({
      name: 'InvalidRange',
      status: 416,
    });

    // Conditional GET, and the expected bucket owner.
    const etag = (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'list/b' }))).ETag!;
    // 304 Not Modified has no body: the SDK knows it by its status only.
    const unchanged = await failure(
      s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'list/b', IfNoneMatch: etag })),
    );
    expect(unchanged.status).toBe(304);
    expect(
      await failure(
        s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'list/b', IfMatch: '"0"' })),
      ),
    ).toEqual({ name: 'PreconditionFailed', status: 412 });
    const matched = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'list/b', IfMatch: etag }),
    );
    expect(await matched.Body!.transformToString()).toBe('list/b');
    expect(
      await failure(
        s3.send(
          new GetObjectCommand({
            Bucket: BUCKET,
            Key: 'list/b',
            ExpectedBucketOwner: '222222222222',
          }),
        ),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'list/e' }));
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'list/e' })))).toEqual(
      {
        name: 'NoSuchKey',
        status: 404,
      },
    );
    expect(
      await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' }))),
    ).toEqual({
      name: 'NoSuchBucket',
      status: 404,
    });
  });

  it('keeps keys with spaces, +, %, unicode, //, ./ and ../ as sent; boto3 lists them (encoding-type=url)', async () => {
    const s3 = client(developer);
    const keys = [
      'odd/a b+c.txt',
      'odd/100%/ü €.txt',
      'odd//double',
      'odd/x?y#z',
      'odd/./dot',
      'odd/dir/../up',
    ];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }));
    for (const Key of keys) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      expect(await got.Body!.transformToString()).toBe(Key);
    }
    const listed = await boto3(cliEnv(), {
      service: 's3',
      endpoint: stack.info.s3,
      region: stack.info.region,
      operation: 'list_objects_v2',
      params: { Bucket: BUCKET, Prefix: 'odd/' },
      credentials: developer,
    });
    if (!listed.ok) throw new Error(`list failed: ${listed.code}`);
    const contents = (listed.result as { Contents: { Key: string }[] }).Contents;
    expect(contents.map((c) => c.Key).sort()).toEqual([...keys].sort());
  });

  it('verifies CRC32C, SHA1 and SHA256 checksums and a streamed body with a CRC32 trailer', async () => {
    const s3 = client(developer);
    for (const ChecksumAlgorithm of ['CRC32C', 'SHA1', 'SHA256'] as const) {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `sums/${ChecksumAlgorithm}`,
          Body: 'checked',
          ChecksumAlgorithm,
        }),
      );
      expect(put[`Checksum${ChecksumAlgorithm}`]).toBeDefined();
      const got = await s3.send(
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: `sums/${ChecksumAlgorithm}`,
          ChecksumMode: 'ENABLED',
        }),
      );
      expect(got[`Checksum${ChecksumAlgorithm}`]).toBe(put[`Checksum${ChecksumAlgorithm}`]);
    }
    // A stream of known length: the SDK frames it aws-chunked with a trailing checksum.
    const data = randomBytes(300_000);
    const streamed = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'sums/streamed',
        Body: Readable.from([data]),
        ContentLength: data.length,
      }),
    );
    expect(streamed.ChecksumCRC32).toBeDefined();
    const back = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sums/streamed' }));
    expect(Buffer.from(await back.Body!.transformToByteArray()).equals(u8(data))).toBe(true);
  });

  it('refuses a wrong Content-MD5 or x-amz-checksum-crc32 with BadDigest', async () => {
    const s3 = client(developer);
    const wrongMd5 = createHash('md5').update('other').digest('base64');
    expect(
      await failure(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'sums/md5',
            Body: 'body',
            ContentMD5: wrongMd5,
          }),
        ),
      ),
    ).toEqual({
      name: 'BadDigest',
      status: 400,
    });
    expect(
      await failure(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'sums/crc',
            Body: 'body',
            ChecksumCRC32: 'AAAAAA==',
          }),
        ),
      ),
    ).toEqual({ name: 'BadDigest', status: 400 });
    expect(
      await failure(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sums/crc' }))),
    ).toEqual({
      name: 'NotFound',
      status: 404,
    });
  });
});

/** SigV4's signing key, derived independently of the server (AWS's documented steps). */
function signingKey(secret: string, date: string, region: string): Uint8Array {
  const h = (key: string | Uint8Array, data: string) =>
    u8(createHmac('sha256', key).update(data).digest());
  return h(h(h(h(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
}

/** CRC32 by node's zlib (Node >= 20.15; not in the pinned @types/node): independent of the server's. */
const zlibCrc32 = (zlib as unknown as { crc32(data: Uint8Array): number }).crc32;
const crc32Base64 = (data: Uint8Array) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlibCrc32(data) >>> 0);
  return out.toString('base64');
};

/**
 * A PUT with a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, or -TRAILER with a signed
 * `x-amz-checksum-crc32` trailer, built as AWS documents it ("Signature calculations for the
 * Authorization header: transferring payload in multiple chunks", "... trailing headers").
 */
async function signedChunkPut(
  key: string,
  chunks: readonly Buffer[],
  options: { tamper?: (body: Buffer) => Buffer; trailer?: string } = {},
) {
  const url = new URL(`${stack.info.s3}/${BUCKET}/${key}`);
  const now = new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const scope = `${amzDate.slice(0, 8)}/${stack.info.region}/s3/aws4_request`;
  const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
  const trailer =
    options.trailer === undefined ? undefined : `x-amz-checksum-crc32:${options.trailer}`;
  const frame = (c: Buffer, sig: string) =>
    Buffer.concat([
      u8(Buffer.from(`${c.length.toString(16)};chunk-signature=${sig}\r\n`)),
      u8(c),
      u8(Buffer.from(c.length === 0 && trailer ? '' : '\r\n')),
    ]);
  const tail = (sig: string) =>
    trailer ? `${trailer}\r\nx-amz-trailer-signature:${sig}\r\n\r\n` : '';
  const bodyLength =
    [...chunks, Buffer.alloc(0)].reduce((n, c) => n + frame(c, '0'.repeat(64)).length, 0) +
    tail('0'.repeat(64)).length;
  const request = {
    method: 'PUT',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: {
      host: url.host,
      'content-encoding': 'aws-chunked',
      'content-length': String(bodyLength),
      'x-amz-content-sha256': trailer
        ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
        : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-decoded-content-length': String(decodedLength),
      ...(trailer ? { 'x-amz-trailer': 'x-amz-checksum-crc32' } : {}),
    } as Record<string, string>,
    query: {},
  };
  const signer = new SignatureV4({
    credentials: developer,
    region: stack.info.region,
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const signed = await signer.sign(request, { signingDate: now });
  let previous = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))![1]!;
  const k = signingKey(developer.secretAccessKey, amzDate.slice(0, 8), stack.info.region);
  const sha = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
  const sign = (lines: string[]) => createHmac('sha256', k).update(lines.join('\n')).digest('hex');
  const parts: Buffer[] = [];
  for (const c of [...chunks, Buffer.alloc(0)]) {
    previous = sign(['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha(''), sha(u8(c))]);
    parts.push(frame(c, previous));
  }
  if (trailer) {
    const signature = sign([
      'AWS4-HMAC-SHA256-TRAILER',
      amzDate,
      scope,
      previous,
      sha(`${trailer}\n`),
    ]);
    parts.push(Buffer.from(tail(signature)));
  }
  const body = Buffer.concat(parts.map(u8));
  const sent = options.tamper ? options.tamper(body) : body;
  return fetch(url, {
    method: 'PUT',
    headers: signed.headers as Record<string, string>,
    body: u8(sent),
  });
}

describe('aws-chunked with signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  it('stores the decoded bytes when every chunk signature chains; a changed chunk is SignatureDoesNotMatch', async () => {
    const chunks = [randomBytes(65_536), randomBytes(1_024)];
    const ok = await signedChunkPut('chunked/ok.bin', chunks);
    expect(ok.status).toBe(200);
    const got = await client(developer).send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'chunked/ok.bin' }),
    );
    expect(
      Buffer.from(await got.Body!.transformToByteArray()).equals(u8(Buffer.concat(chunks.map(u8)))),
    ).toBe(true);

    const flipped = await signedChunkPut('chunked/bad.bin', chunks, {
      tamper: (body) => {
        const copy = Buffer.from(u8(body));
        copy[200] = copy[200]! ^ 0xff; // inside the first chunk's data
        return copy;
      },
    });
    expect(flipped.status).toBe(403);
    expect(await flipped.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(
      await failure(
        client(developer).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'chunked/bad.bin' })),
      ),
    ).toEqual({
      name: 'NotFound',
      status: 404,
    });
  });
});

describe('aws-chunked with a signed trailer (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)', () => {
  it('stores the object when the trailer checksum and its signature hold; a wrong CRC32 is BadDigest', async () => {
    const chunks = [randomBytes(10_000), randomBytes(77)];
    const crc = crc32Base64(u8(Buffer.concat(chunks.map(u8))));
    const ok = await signedChunkPut('chunked/trailer.bin', chunks, { trailer: crc });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-amz-checksum-crc32')).toBe(crc);
    const head = await client(developer).send(
      new HeadObjectCommand({
        Bucket: BUCKET,
        Key: 'chunked/trailer.bin',
        ChecksumMode: 'ENABLED',
      }),
    );
    expect(head.ChecksumCRC32).toBe(crc);

    // A correctly signed trailer that names the wrong checksum.
    const wrong = await signedChunkPut('chunked/wrong.bin', chunks, { trailer: 'AAAAAA==' });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('<Code>BadDigest</Code>');
    // The right checksum, changed after signing: the trailer signature no longer holds.
    const swapped = await signedChunkPut('chunked/swapped.bin', chunks, {
      trailer: 'AAAAAA==',
      tamper: (body) => Buffer.from(body.toString('latin1').replace('AAAAAA==', crc), 'latin1'),
    });
    expect(swapped.status).toBe(403);
    expect(await swapped.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('CORS', () => {
  it('answers the app origin preflight as the seeded rule says, and refuses another origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.info.s3}/${BUCKET}/uploads/x/photo.jpg`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'authorization,x-amz-date,x-amz-security-token',
        },
      });
    const ok = await preflight('http://localhost:3000');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(ok.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(ok.headers.get('access-control-expose-headers')).toContain('ETag');
    const put = await fetch(`${stack.info.s3}/${BUCKET}/nowhere`, {
      method: 'PUT',
      headers: { origin: 'http://localhost:3000' },
      body: 'x',
    });
    // Unsigned: refused, with the CORS headers the browser needs to read the refusal.
    expect(put.status).toBe(403);
    expect(put.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await preflight('https://evil.example');
    expect(other.status).toBe(403);
    expect(await other.text()).toContain('<Code>CORSResponse</Code>');
  });
});

describe('multipart uploads with the JS SDK', () => {
  const MiB = 1024 * 1024;
  async function upload(
    key: string,
    sizes: readonly number[],
    checksum?: {
      ChecksumAlgorithm: 'CRC32' | 'SHA256';
      ChecksumType?: 'COMPOSITE' | 'FULL_OBJECT';
    },
  ) {
    const s3 = client(developer);
    const created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...checksum }),
    );
    const parts = [];
    const datas = sizes.map((n) => randomBytes(n));
    for (const [i, Body] of datas.entries()) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: created.UploadId,
          PartNumber: i + 1,
          Body: u8(Body),
          ...(checksum ? { ChecksumAlgorithm: checksum.ChecksumAlgorithm } : {}),
        }),
      );
      parts.push({
        PartNumber: i + 1,
        ETag: part.ETag,
        ChecksumCRC32: part.ChecksumCRC32,
        ChecksumSHA256: part.ChecksumSHA256,
      });
    }
    return { s3, uploadId: created.UploadId!, parts, data: Buffer.concat(datas.map(u8)) };
  }

  it('completes with a COMPOSITE checksum ("<base64>-<parts>") and the bytes in part order', async () => {
    const { s3, uploadId, parts, data } = await upload('multi/composite.bin', [5 * MiB, 1234], {
      ChecksumAlgorithm: 'SHA256',
      ChecksumType: 'COMPOSITE',
    });
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'multi/composite.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    expect(done.ChecksumSHA256).toMatch(/^[A-Za-z0-9+/]{43}=-2$/);
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'multi/composite.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(u8(data))).toBe(true);
  });

  it('refuses a part below 5 MiB that is not the last (EntityTooSmall), a wrong ETag (InvalidPart); abort forgets the upload', async () => {
    const small = await upload('multi/small.bin', [1000, 1000]);
    const complete = (parts: typeof small.parts) =>
      small.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'multi/small.bin',
          UploadId: small.uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    expect(await failure(complete(small.parts))).toEqual({ name: 'EntityTooSmall', status: 400 });
    expect(
      await failure(complete([{ ...small.parts[0]!, ETag: '"00000000000000000000000000000000"' }])),
    ).toEqual({
      name: 'InvalidPart',
      status: 400,
    });
    expect(await failure(complete([...small.parts].reverse()))).toEqual({
      name: 'InvalidPartOrder',
      status: 400,
    });
    await small.s3.send(
      new AbortMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'multi/small.bin',
        UploadId: small.uploadId,
      }),
    );
    expect(await failure(complete(small.parts))).toEqual({ name: 'NoSuchUpload', status: 404 });
  });

  it("alice's session may upload parts under her prefix only (multipart parts are s3:PutObject)", async () => {
    const s3 = client(alice.credentials);
    expect(
      await failure(
        s3.send(
          new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'uploads/someone-else/big.bin' }),
        ),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    const key = `uploads/${alice.sub}/big.bin`;
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    // The upload id does not widen anything: a part for another key is refused.
    expect(
      await failure(
        s3.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key: 'uploads/someone-else/big.bin',
            UploadId: created.UploadId,
            PartNumber: 1,
            Body: 'x',
          }),
        ),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    const part = await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: created.UploadId,
        PartNumber: 1,
        Body: 'only part',
      }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(done.ETag).toMatch(/-1"$/);
    // Abort is s3:AbortMultipartUpload, which the app-upload role does not grant.
    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    expect(
      await failure(
        s3.send(
          new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: other.UploadId }),
        ),
      ),
    ).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
  });
});
