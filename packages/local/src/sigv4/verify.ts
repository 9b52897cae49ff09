/**
 * SigV4 verification as AWS documents it: the canonical request is rebuilt from what the client
 * signed (its own `SignedHeaders`, its query, its payload hash), the signature recomputed with the
 * secret of the claimed key and compared in constant time. The steps run in one order and every
 * one ends in a refusal or the next step: nothing is granted by falling through.
 */
import { safeEqual } from '../http.js';
import { canonicalPath, canonicalQuery, canonicalRequest } from './canonical.js';
import { sigV4Failure } from './errors.js';
import { credentialScope, hmacHex, sha256Hex, signingKey } from './key.js';
import { ALGORITHM, parseAuth, type UnverifiedAuth } from './parse.js';
import type {
  SignedRequest,
  SigV4Failure,
  SigV4Options,
  SigV4Result,
  SigV4Service,
} from './types.js';

/** How far X-Amz-Date may be from the server clock: 15 minutes, as AWS allows. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** The payload forms S3 accepts besides a hex digest (SigV4a's ECDSA forms are not supported). */
const S3_PAYLOAD_FORMS = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);

const LOOKUP_REASON = {
  unknown: 'unknown-access-key',
  'token-mismatch': 'invalid-session-token',
  expired: 'expired-session-token',
} as const;

export async function verifySigV4(
  unverified: SignedRequest,
  options: SigV4Options,
): Promise<SigV4Result> {
  const { service } = options;
  const q = unverified.url.indexOf('?');
  const rawPath = q === -1 ? unverified.url : unverified.url.slice(0, q);
  const rawQuery = q === -1 ? '' : unverified.url.slice(q + 1);
  const queryParams = decodeQuery(rawQuery);
  if (!queryParams) return sigV4Failure('malformed-query-authorization', service, 'bad query');
  const parsed = parseAuth(
    header(unverified, 'authorization'),
    header(unverified, 'x-amz-date'),
    header(unverified, 'x-amz-security-token'),
    queryParams,
  );
  if (!parsed) return sigV4Failure('missing-authentication', service);
  if (!parsed.ok) return sigV4Failure(parsed.reason, service, parsed.detail);
  const auth = parsed.auth;

  const badScope = checkScope(auth, options);
  if (badScope) return badScope;
  const found = options.registry.lookup(auth.accessKeyId, auth.sessionToken);
  if (!found.found) return sigV4Failure(LOOKUP_REASON[found.reason], service);
  const badTime = checkTime(auth, options.now(), service);
  if (badTime) return badTime;
  const payload = payloadOf(unverified, auth, service);
  if (!payload.ok) return payload;
  const path = canonicalPath(rawPath, service);
  const query = canonicalQuery(rawQuery, auth.presigned ? 'X-Amz-Signature' : undefined);
  const canonical =
    path !== undefined && query !== undefined
      ? canonicalRequest(unverified, {
          path,
          query,
          signedHeaders: auth.signedHeaders,
          payloadHash: payload.payloadHash,
        })
      : undefined;
  const scope = credentialScope(auth.shortDate, auth.region, auth.service);
  const key = await signingKey(
    found.caller.secretAccessKey,
    auth.accessKeyId,
    auth.shortDate,
    auth.region,
    auth.service,
  );
  const expected =
    canonical === undefined
      ? ''
      : hmacHex(key, [ALGORITHM, auth.amzDate, scope, sha256Hex(canonical)].join('\n'));
  if (!safeEqual(expected, auth.signature)) return sigV4Failure('signature-mismatch', service);
  if (payload.bodyMismatch) return sigV4Failure('content-sha256-mismatch', service);
  return {
    ok: true,
    caller: found.caller,
    accessKeyId: auth.accessKeyId,
    region: auth.region,
    service,
    shortDate: auth.shortDate,
    amzDate: auth.amzDate,
    credentialScope: scope,
    signingKey: key,
    seedSignature: auth.signature,
    payloadHash: payload.payloadHash,
    bodyVerified: payload.bodyVerified,
    presigned: auth.presigned,
  };
}

/** A header's value; a repeated header's values joined by `,` (then the parsers refuse it). */
function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return value === undefined ? undefined : typeof value === 'string' ? value : value.join(',');
}

/** Query parameters decoded (every value of a repeated name); `undefined` on bad encoding. */
function decodeQuery(rawQuery: string): Map<string, string[]> | undefined {
  const out = new Map<string, string[]>();
  try {
    for (const part of rawQuery.split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
      const value = decodeURIComponent(eq === -1 ? '' : part.slice(eq + 1));
      out.set(name, [...(out.get(name) ?? []), value]);
    }
  } catch {
    return undefined;
  }
  return out;
}

/** The credential scope must name this date, this service and (when configured) this region. */
function checkScope(auth: UnverifiedAuth, options: SigV4Options): SigV4Failure | undefined {
  const { service } = options;
  if (auth.shortDate !== auth.amzDate.slice(0, 8)) {
    return sigV4Failure(
      'wrong-scope-date',
      service,
      `'${auth.shortDate}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
    );
  }
  if (auth.service !== service) {
    return sigV4Failure('wrong-service', service, service === 's3' ? auth.service : service);
  }
  if (options.region !== undefined && auth.region !== options.region) {
    return sigV4Failure('wrong-region', service, auth.region);
  }
  return undefined;
}

/**
 * Header authentication: X-Amz-Date within 15 minutes of the server clock. Presigned URLs: not
 * dated more than 15 minutes ahead, and not past X-Amz-Expires — for services other than S3 also
 * not past the 15-minute window (STS honours no longer validity).
 */
function checkTime(
  auth: UnverifiedAuth,
  now: number,
  service: SigV4Service,
): SigV4Failure | undefined {
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined) {
    return sigV4Failure(
      auth.presigned ? 'malformed-query-authorization' : 'malformed-authorization',
      service,
      `X-Amz-Date ${auth.amzDate} is not a valid date.`,
    );
  }
  if (signedAt - now > MAX_SKEW_MS) {
    return sigV4Failure(
      auth.presigned ? 'presigned-url-not-yet-valid' : 'request-time-skewed',
      service,
      `Signature not yet current: ${auth.amzDate} is still later than ${amzDate(now + MAX_SKEW_MS)} (${amzDate(now)} + 15 min.)`,
    );
  }
  const validFor =
    auth.expiresSeconds === undefined
      ? MAX_SKEW_MS
      : service === 's3'
        ? auth.expiresSeconds * 1000
        : Math.min(auth.expiresSeconds * 1000, MAX_SKEW_MS);
  if (now - signedAt > validFor) {
    return sigV4Failure(
      auth.presigned ? 'presigned-url-expired' : 'request-time-skewed',
      service,
      `Signature expired: ${auth.amzDate} is now earlier than ${amzDate(now - validFor)} (${amzDate(now)} - ${validFor / 1000 / 60} min.)`,
    );
  }
  return undefined;
}

type Payload =
  | {
      readonly ok: true;
      readonly payloadHash: string;
      readonly bodyVerified: boolean;
      /** The body was hashed and differs from the signed hash (reported after the signature). */
      readonly bodyMismatch: boolean;
    }
  | SigV4Failure;

/**
 * The payload hash the client signed: S3 presigned URLs sign `UNSIGNED-PAYLOAD`; otherwise the
 * `x-amz-content-sha256` header when present (a hex digest, or for S3 one of its unsigned and
 * streaming forms), else the hash of the body.
 */
function payloadOf(request: SignedRequest, auth: UnverifiedAuth, service: SigV4Service): Payload {
  const ok = (payloadHash: string, bodyVerified: boolean, bodyMismatch = false): Payload => ({
    ok: true,
    payloadHash,
    bodyVerified,
    bodyMismatch,
  });
  if (auth.presigned && service === 's3') return ok('UNSIGNED-PAYLOAD', false);
  const claimed = header(request, 'x-amz-content-sha256');
  const body = request.body;
  if (claimed === undefined) {
    return body === undefined
      ? sigV4Failure('missing-content-sha256', service, 'x-amz-content-sha256 is required.')
      : ok(sha256Hex(body), true);
  }
  if (HEX_SHA256.test(claimed)) {
    if (body === undefined) return ok(claimed, false);
    const matches = safeEqual(sha256Hex(body), claimed);
    return ok(claimed, matches, !matches);
  }
  if (service === 's3' && S3_PAYLOAD_FORMS.has(claimed)) return ok(claimed, false);
  return sigV4Failure(
    'invalid-content-sha256',
    service,
    'x-amz-content-sha256 must be the hex SHA-256 of the body.',
  );
}

function parseAmzDate(value: string): number | undefined {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 9, 11, 13].map((i, n) =>
    Number(value.slice(i, i + (n === 0 ? 4 : 2))),
  ) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return amzDate(ms) === value ? ms : undefined;
}

/** `YYYYMMDDTHHMMSSZ` of an epoch-milliseconds instant. */
function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
