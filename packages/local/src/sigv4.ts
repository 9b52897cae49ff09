/**
 * SigV4 verification by re-signing: parse the Authorization header, look up the access key, sign
 * the same canonical request with `@smithy/signature-v4` (the signer the SDK uses) and compare the
 * signatures in constant time. A 5-minute clock-skew window, as AWS applies.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { bytes, safeEqual } from './http.js';
import type { Caller, SessionRegistry } from './sts/sessions.js';

export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'ExpiredToken'
  | 'RequestExpired'
  | 'SignatureDoesNotMatch';

export interface SigV4Failure {
  readonly ok: false;
  readonly code: SigV4ErrorCode;
  readonly status: number;
  readonly message: string;
}

export type SigV4Result = { readonly ok: true; readonly caller: Caller } | SigV4Failure;

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

const SKEW_MS = 5 * 60 * 1000;
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;_.-]+),\s*Signature=([0-9a-f]{64})$/;

const fail = (code: SigV4ErrorCode, status: number, message: string): SigV4Failure => ({
  ok: false,
  code,
  status,
  message,
});

export async function verifySigV4(
  unverified: SignedRequest,
  options: { service: string; registry: SessionRegistry; now: () => number },
): Promise<SigV4Result> {
  const header = headerValue(unverified.headers, 'authorization');
  if (!header) {
    return fail('MissingAuthenticationToken', 403, 'Request is missing Authentication Token');
  }
  const m = AUTH.exec(header);
  if (!m) {
    return fail(
      'IncompleteSignature',
      400,
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' with AWS4-HMAC-SHA256. Authorization=${header.split(' ')[0]}`,
    );
  }
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, givenSignature] =
    m as unknown as string[];
  const amzDate = headerValue(unverified.headers, 'x-amz-date');
  const signedHeaders = signedHeaderList!.split(';');
  if (
    !amzDate ||
    !/^\d{8}T\d{6}Z$/.test(amzDate) ||
    !signedHeaders.includes('x-amz-date') ||
    !signedHeaders.includes('host')
  ) {
    return fail('IncompleteSignature', 400, 'X-Amz-Date and Host must be present and signed.');
  }
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const sessionToken = headerValue(unverified.headers, 'x-amz-security-token');
  const found = options.registry.lookup(accessKeyId!, sessionToken);
  if (!found.found) {
    return found.reason === 'expired'
      ? fail('ExpiredToken', 403, 'The security token included in the request is expired')
      : fail('InvalidClientTokenId', 403, 'The security token included in the request is invalid.');
  }
  const now = options.now();
  if (Number.isNaN(signingDate.getTime()) || Math.abs(now - signingDate.getTime()) > SKEW_MS) {
    return fail(
      'RequestExpired',
      400,
      `Request has expired: X-Amz-Date ${amzDate} is more than 5 minutes from the server time ${isoBasic(new Date(now))}.`,
    );
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    return fail(
      'SignatureDoesNotMatch',
      403,
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  if (service !== options.service) {
    return fail(
      'SignatureDoesNotMatch',
      403,
      `Credential should be scoped to correct service: '${options.service}'.`,
    );
  }
  const payloadHash = headerValue(unverified.headers, 'x-amz-content-sha256');
  if (payloadHash && payloadHash !== 'UNSIGNED-PAYLOAD') {
    const actual = createHash('sha256').update(bytes(unverified.body)).digest('hex');
    if (actual !== payloadHash) {
      return fail(
        'SignatureDoesNotMatch',
        403,
        'The provided x-amz-content-sha256 header does not match the computed hash of the body.',
      );
    }
  }

  const url = new URL(unverified.url, 'http://local');
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const v = headerValue(unverified.headers, name);
    if (v === undefined) {
      return fail(
        'SignatureDoesNotMatch',
        403,
        `Signed header ${name} is missing from the request.`,
      );
    }
    headers[name] = v;
  }
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // keep the raw path: its signature will not match
  }
  const request = new HttpRequest({
    method: unverified.method,
    protocol: 'http:',
    hostname: 'local',
    path,
    query,
    headers,
    body: bytes(unverified.body),
  });
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: accessKeyId!,
      secretAccessKey: found.caller.secretAccessKey,
      ...(sessionToken ? { sessionToken } : {}),
    },
    region: region!,
    service: service!,
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(request, {
    signingDate,
    signableHeaders: new Set(signedHeaders),
  });
  const expected =
    /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  if (!safeEqual(expected, givenSignature!)) {
    return fail(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { ok: true, caller: found.caller };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ');
}

function isoBasic(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
