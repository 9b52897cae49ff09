/**
 * Signed requests for the verifier's tests, produced here by the signer the AWS SDK for JavaScript
 * uses (`@smithy/signature-v4`), in the raw HTTP/1.1 form the verifier's tests parse: the shapes
 * of AWS's SigV4 test suite (vanilla GET, query order, header value trimming, a UTF-8 path, a form
 * POST), with AWS's documented example key.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';

export const EXAMPLE: {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly service: string;
  readonly signedAt: string;
} = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
  service: 'service',
  signedAt: '2015-08-30T12:36:00Z',
};

interface Shape {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

const SHAPES: Readonly<Record<string, Shape>> = {
  'get-vanilla': { method: 'GET', path: '/' },
  'get-vanilla-query-order': {
    method: 'GET',
    path: '/',
    query: { Param2: 'value2', Param1: 'value1' },
  },
  'get-header-value-trim': {
    method: 'GET',
    path: '/',
    headers: { 'my-header1': 'value1', 'my-header2': '"a   b   c"' },
  },
  'get-utf8': { method: 'GET', path: '/\u1234' },
  'get-slashes': { method: 'GET', path: '/example/path' },
  'post-vanilla': { method: 'POST', path: '/' },
  'post-x-www-form-urlencoded': {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Param1=value1',
  },
};

/** One shape signed, as `METHOD url HTTP/1.1\nName:value...\n\nbody`. */
async function signed(shape: Shape): Promise<string> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: EXAMPLE.accessKeyId, secretAccessKey: EXAMPLE.secretAccessKey },
    region: EXAMPLE.region,
    service: EXAMPLE.service,
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = {
    method: shape.method,
    protocol: 'https:',
    hostname: 'example.amazonaws.com',
    // As the SDK's serializers hand it over: encoded once (the signer encodes again, as SigV4
    // requires for services other than S3).
    path: encodeURI(shape.path),
    query: shape.query ?? {},
    headers: { host: 'example.amazonaws.com', ...(shape.headers ?? {}) },
    body: shape.body,
  };
  const out = (await signer.sign(request as never, {
    signingDate: new Date(EXAMPLE.signedAt),
  })) as unknown as { headers: Record<string, string> };
  const search = new URLSearchParams(shape.query ?? {}).toString();
  const url = `${encodeURI(shape.path)}${search ? `?${search}` : ''}`;
  const lines = Object.entries(out.headers).map(([k, v]) => `${k}:${v}`);
  return `${shape.method} ${url} HTTP/1.1\n${lines.join('\n')}\n\n${shape.body ?? ''}`;
}

export async function signedRequests(): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(SHAPES).map(async ([name, shape]) => [name, await signed(shape)] as const),
  );
  return Object.fromEntries(entries);
}
