import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../src/iam/directory.js';
import {
  type CredentialSource,
  chunkSignature,
  type SignedRequest,
  verifyChunkSignature,
  verifySigV4,
} from '../src/sigv4/index.js';
import { SessionRegistry } from '../src/sts/sessions.js';

const USER = {
  arn: 'arn:aws:iam::111111111111:user/example',
  userId: 'AIDAEXAMPLE',
  account: '111111111111',
  identityPolicies: [],
} as unknown as DirectoryUser;

function registryWith(key: { accessKeyId: string; secretAccessKey: string }): CredentialSource {
  const registry = new SessionRegistry();
  registry.addUser(USER, key);
  return registry;
}

/** S3's documented examples (Amazon S3 API reference, "Authenticating Requests (AWS Signature Version 4)"). */
describe("verifySigV4 against S3's documented examples", () => {
  const registry = registryWith({
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  const options = { service: 's3', registry, now: () => Date.parse('2013-05-24T00:05:00Z') };
  const authorization = (signedHeaders: string, signature: string) =>
    `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;

  it('GET Object with a range, and PUT Object whose key needs encoding ($) with its body hash', async () => {
    const get = await verifySigV4(
      {
        method: 'GET',
        url: '/test.txt',
        headers: {
          host: 'examplebucket.s3.amazonaws.com',
          range: 'bytes=0-9',
          'x-amz-content-sha256':
            'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          'x-amz-date': '20130524T000000Z',
          authorization: authorization(
            'host;range;x-amz-content-sha256;x-amz-date',
            'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
          ),
        },
      },
      options,
    );
    expect(get).toMatchObject({ ok: true, presigned: false, bodyVerified: false });
    const put: SignedRequest = {
      method: 'PUT',
      url: '/test%24file.text',
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        'x-amz-date': '20130524T000000Z',
        authorization: authorization(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
      body: new TextEncoder().encode('Welcome to Amazon S3.'),
    };
    expect(await verifySigV4(put, options)).toMatchObject({ ok: true, bodyVerified: true });
    const otherBody = await verifySigV4(
      { ...put, body: new TextEncoder().encode('Welcome to Amazon S4.') },
      options,
    );
    expect(otherBody).toMatchObject({ ok: false, code: 'XAmzContentSHA256Mismatch', status: 400 });
  });

  it('a presigned GET is valid for its X-Amz-Expires (a day), then refused as S3 does', async () => {
    const url =
      '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const request = { method: 'GET', url, headers: { host: 'examplebucket.s3.amazonaws.com' } };
    const at = (iso: string) => ({ ...options, now: () => Date.parse(iso) });
    expect(await verifySigV4(request, at('2013-05-24T23:59:59Z'))).toMatchObject({
      ok: true,
      presigned: true,
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    expect(await verifySigV4(request, at('2013-05-25T00:00:01Z'))).toMatchObject({
      ok: false,
      reason: 'presigned-url-expired',
      code: 'AccessDenied',
      message: 'Request has expired',
      status: 403,
    });
    expect(await verifySigV4(request, at('2013-05-23T23:44:59Z'))).toMatchObject({
      ok: false,
      reason: 'presigned-url-not-yet-valid',
      code: 'AccessDenied',
    });
    const longer = await verifySigV4(
      { ...request, url: url.replace('X-Amz-Expires=86400', 'X-Amz-Expires=604801') },
      at('2013-05-24T00:00:00Z'),
    );
    expect(longer).toMatchObject({ ok: false, code: 'AuthorizationQueryParametersError' });
  });

  it('a chunked upload: seed signature, then each chunk chained to the one before', async () => {
    const seed = await verifySigV4(
      {
        method: 'PUT',
        url: '/examplebucket/chunkObject.txt',
        headers: {
          host: 's3.amazonaws.com',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '66560',
          'content-length': '66824',
          authorization: authorization(
            'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
            '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
          ),
        },
      },
      options,
    );
    if (!seed.ok) throw new Error(seed.message);
    expect(seed).toMatchObject({
      payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      bodyVerified: false,
      credentialScope: '20130524/us-east-1/s3/aws4_request',
    });
    const chunks = [
      new Uint8Array(65536).fill(97),
      new Uint8Array(1024).fill(97),
      new Uint8Array(0),
    ];
    const published = [
      'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
      'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
    ];
    let previous = seed.seedSignature;
    for (const [i, chunk] of chunks.entries()) {
      expect(verifyChunkSignature(seed, previous, chunk, published[i]!)).toBe(true);
      previous = published[i]!;
    }
    // Reordered or altered chunks fail: each signature covers the one before and its own bytes.
    expect(verifyChunkSignature(seed, seed.seedSignature, chunks[1]!, published[0]!)).toBe(false);
    expect(verifyChunkSignature(seed, published[0]!, chunks[1]!, published[0]!)).toBe(false);
    expect(chunkSignature(seed, seed.seedSignature, new Uint8Array(65536).fill(98))).not.toBe(
      published[0],
    );
  });
});

interface CapturedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  host: string;
  body: string;
}

function botocoreSigned(input: unknown): Promise<CapturedRequest[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'python3',
      [new URL('./clients/botocore_sign.py', import.meta.url).pathname],
      {
        env: {
          PATH: '/usr/bin:/bin',
          HOME: '/nonexistent',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(stderr || err.message)) : resolve(JSON.parse(stdout)),
    );
    child.stdin?.end(JSON.stringify(input));
  });
}

const asReceived = (c: CapturedRequest): SignedRequest => ({
  method: c.method,
  url: c.url,
  headers: { ...c.headers, host: c.host },
  body: new Uint8Array(Buffer.from(c.body, 'base64')),
});

// botocore runs in a Python process: a generous bound per test on a loaded machine.
describe('verifySigV4 accepts what the real clients sign, and only that', {
  timeout: 120_000,
}, () => {
  const registry = new SessionRegistry();
  const key = {
    accessKeyId: 'AKIAEXAMPLEEXAMPLE01',
    secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXg',
  };
  registry.addUser(USER, key);
  const now = Date.now;
  const KEY = 'uploads/sub 1/ä+ü=(1)!*~é$&,;@.txt';

  it('botocore (boto3, AWS CLI): S3 put_object of a key that needs encoding, presigned get_object and put_object, STS calls', async () => {
    const [put, presignedGet, presignedPut, sts, stsPresigned] = await botocoreSigned({
      endpoint: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      credentials: {
        aws_access_key_id: key.accessKeyId,
        aws_secret_access_key: key.secretAccessKey,
      },
      calls: [
        {
          service: 's3',
          operation: 'put_object',
          params: { Bucket: 'media', Key: KEY, Body: 'hello' },
        },
        {
          service: 's3',
          operation: 'get_object',
          params: { Bucket: 'media', Key: KEY },
          presign: 300,
        },
        {
          service: 's3',
          operation: 'put_object',
          params: { Bucket: 'media', Key: KEY },
          presign: 300,
        },
        { service: 'sts', operation: 'get_caller_identity' },
        { service: 'sts', operation: 'get_caller_identity', presign: 60, httpMethod: 'GET' },
      ],
    });
    const s3 = { service: 's3', registry, now, region: 'eu-west-1' };
    const stsOptions = { service: 'sts', registry, now, region: 'eu-west-1' };
    expect(put!.url).not.toContain(' ');
    expect(await verifySigV4(asReceived(put!), s3)).toMatchObject({ ok: true, bodyVerified: true });
    expect(await verifySigV4(asReceived(presignedGet!), s3)).toMatchObject({
      ok: true,
      presigned: true,
    });
    expect(await verifySigV4(asReceived(presignedPut!), s3)).toMatchObject({
      ok: true,
      presigned: true,
    });
    expect(await verifySigV4(asReceived(sts!), stsOptions)).toMatchObject({
      ok: true,
      presigned: false,
    });
    expect(await verifySigV4(asReceived(stsPresigned!), stsOptions)).toMatchObject({
      ok: true,
      presigned: true,
    });

    // Another key, another method, another body: refused.
    const otherKey = {
      ...asReceived(put!),
      url: put!.url.replace('hello', 'x').replace('sub%201', 'sub%202'),
    };
    expect(await verifySigV4(otherKey, s3)).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
    expect(await verifySigV4({ ...asReceived(presignedGet!), method: 'DELETE' }, s3)).toMatchObject(
      {
        ok: false,
        code: 'SignatureDoesNotMatch',
      },
    );
    expect(
      await verifySigV4({ ...asReceived(put!), body: new TextEncoder().encode('hellO') }, s3),
    ).toMatchObject({ ok: false, code: 'XAmzContentSHA256Mismatch' });
    // Signed for S3, sent to STS: the scope names the wrong service.
    expect(await verifySigV4(asReceived(put!), stsOptions)).toMatchObject({
      ok: false,
      reason: 'wrong-service',
      code: 'SignatureDoesNotMatch',
    });
  });

  it('the JS SDK v3: S3 PutObject of a key that needs encoding (with its CRC32 checksum header), STS GetCallerIdentity', async () => {
    const captured: SignedRequest[] = [];
    const requestHandler = {
      handle: async (request: {
        method: string;
        path: string;
        query?: Record<string, string | string[] | null>;
        headers: Record<string, string>;
        hostname: string;
        port?: number;
        body?: unknown;
      }) => {
        const query = new URLSearchParams();
        for (const [k, v] of Object.entries(request.query ?? {}))
          for (const one of Array.isArray(v) ? v : [v ?? '']) query.append(k, one);
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]),
        );
        captured.push({
          method: request.method,
          url: `${request.path}${query.size ? `?${query.toString().replace(/\+/g, '%20')}` : ''}`,
          headers: { ...headers, host: `${request.hostname}:${request.port}` },
          body:
            typeof request.body === 'string'
              ? new TextEncoder().encode(request.body)
              : (request.body as Uint8Array | undefined),
        });
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    };
    const config = {
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: key,
      requestHandler,
      maxAttempts: 1,
    };
    await new S3Client({ ...config, forcePathStyle: true })
      .send(
        new PutObjectCommand({
          Bucket: 'media',
          Key: KEY,
          Body: new TextEncoder().encode('hello'),
        }),
      )
      .catch(() => undefined);
    await new STSClient(config).send(new GetCallerIdentityCommand({})).catch(() => undefined);
    const [put, sts] = captured;
    expect(put!.headers['x-amz-checksum-crc32']).toBeDefined();
    expect(
      await verifySigV4(put!, { service: 's3', registry, now, region: 'eu-west-1' }),
    ).toMatchObject({ ok: true });
    expect(
      await verifySigV4(sts!, { service: 'sts', registry, now, region: 'eu-west-1' }),
    ).toMatchObject({ ok: true });
    const tampered = { ...put!, headers: { ...put!.headers, 'x-amz-checksum-crc32': 'AAAAAA==' } };
    expect(await verifySigV4(tampered, { service: 's3', registry, now })).toMatchObject({
      ok: false,
      code: 'SignatureDoesNotMatch',
    });
  });
});
