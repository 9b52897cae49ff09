/**
 * Reads the claimed signature of a request — from the `Authorization` header or from the
 * `X-Amz-*` query parameters of a presigned URL — without trusting any of it. Only
 * `AWS4-HMAC-SHA256` is understood; everything else is malformed.
 */
import type { SigV4Reason } from './types.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Longest presigned validity AWS allows: seven days. */
export const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

export interface UnverifiedAuth {
  readonly presigned: boolean;
  readonly accessKeyId: string;
  readonly shortDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  /** Presigned URLs only: `X-Amz-Expires` in seconds. */
  readonly expiresSeconds: number | undefined;
  readonly sessionToken: string | undefined;
}

export type ParsedAuth =
  | { readonly ok: true; readonly auth: UnverifiedAuth }
  | { readonly ok: false; readonly reason: SigV4Reason; readonly detail: string };

const HEADER_NAMES = /^[a-z0-9!#$%&'*+.^_`|~-]+(;[a-z0-9!#$%&'*+.^_`|~-]+)*$/;
const SIGNATURE = /^[0-9a-f]{64}$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;

const refuse = (reason: SigV4Reason, detail: string): ParsedAuth => ({ ok: false, reason, detail });

/** `undefined`: the request carries no SigV4 authentication at all. */
export function parseAuth(
  authorization: string | undefined,
  amzDateHeader: string | undefined,
  sessionTokenHeader: string | undefined,
  query: ReadonlyMap<string, readonly string[]>,
): ParsedAuth | undefined {
  const presigned = query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature');
  if (authorization !== undefined && presigned) {
    return refuse(
      'malformed-authorization',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) {
    return parseHeader(authorization, amzDateHeader, sessionTokenHeader);
  }
  return presigned ? parseQuery(query) : undefined;
}

function parseHeader(
  authorization: string,
  amzDate: string | undefined,
  sessionToken: string | undefined,
): ParsedAuth {
  const algorithm = authorization.split(' ', 1)[0] ?? '';
  if (algorithm !== ALGORITHM) {
    return refuse(
      'malformed-authorization',
      `Unsupported authorization type '${algorithm.slice(0, 32)}': only ${ALGORITHM} is accepted.`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length).split(',')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq === -1 || fields.has(name)) return incomplete();
    fields.set(name, part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (fields.size !== 3 || !credential || !signedHeaders || !signature) return incomplete();
  if (amzDate === undefined || !AMZ_DATE.test(amzDate)) {
    return refuse(
      'malformed-authorization',
      "Authorization header requires existence of a valid 'X-Amz-Date' header (YYYYMMDDTHHMMSSZ).",
    );
  }
  const fixed = checkFixedParts(credential, signedHeaders, signature, 'malformed-authorization');
  if (!fixed.ok) return fixed;
  if (!fixed.names.includes('x-amz-date')) {
    return refuse('malformed-authorization', "'x-amz-date' must be a signed header.");
  }
  return {
    ok: true,
    auth: {
      presigned: false,
      ...fixed.credential,
      signedHeaders: fixed.names,
      signature,
      amzDate,
      expiresSeconds: undefined,
      sessionToken,
    },
  };
}

function incomplete(): ParsedAuth {
  return refuse(
    'malformed-authorization',
    `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters with ${ALGORITHM}.`,
  );
}

function parseQuery(query: ReadonlyMap<string, readonly string[]>): ParsedAuth {
  const one = (name: string): string | undefined => {
    const values = query.get(name);
    return values?.length === 1 ? values[0] : undefined;
  };
  const algorithm = one('X-Amz-Algorithm');
  const credential = one('X-Amz-Credential');
  const amzDate = one('X-Amz-Date');
  const expires = one('X-Amz-Expires');
  const signedHeaders = one('X-Amz-SignedHeaders');
  const signature = one('X-Amz-Signature');
  const tokens = query.get('X-Amz-Security-Token');
  if (
    algorithm !== ALGORITHM ||
    !credential ||
    !amzDate ||
    !AMZ_DATE.test(amzDate) ||
    expires === undefined ||
    !signedHeaders ||
    !signature ||
    (tokens !== undefined && tokens.length !== 1)
  ) {
    return refuse(
      'malformed-query-authorization',
      `Query-string authentication requires the X-Amz-Algorithm (${ALGORITHM}), X-Amz-Credential, X-Amz-Date (YYYYMMDDTHHMMSSZ), X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature parameters, once each.`,
    );
  }
  if (!/^\d{1,7}$/.test(expires) || Number(expires) < 1) {
    return refuse('invalid-expires', 'X-Amz-Expires should be a number of seconds of at least 1');
  }
  if (Number(expires) > MAX_EXPIRES_SECONDS) {
    return refuse(
      'invalid-expires',
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
    );
  }
  const fixed = checkFixedParts(
    credential,
    signedHeaders,
    signature,
    'malformed-query-authorization',
  );
  if (!fixed.ok) return fixed;
  return {
    ok: true,
    auth: {
      presigned: true,
      ...fixed.credential,
      signedHeaders: fixed.names,
      signature,
      amzDate,
      expiresSeconds: Number(expires),
      sessionToken: tokens?.[0],
    },
  };
}

type Fixed =
  | {
      readonly ok: true;
      readonly credential: Pick<UnverifiedAuth, 'accessKeyId' | 'shortDate' | 'region' | 'service'>;
      readonly names: readonly string[];
    }
  | { readonly ok: false; readonly reason: SigV4Reason; readonly detail: string };

/** Credential scope, signed-header list and signature: the same grammar in both forms. */
function checkFixedParts(
  credential: string,
  signedHeaders: string,
  signature: string,
  reason: 'malformed-authorization' | 'malformed-query-authorization',
): Fixed {
  const parts = credential.split('/');
  const [accessKeyId, shortDate, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !/^\d{8}$/.test(shortDate ?? '') ||
    !region ||
    !service ||
    terminator !== 'aws4_request'
  ) {
    return {
      ok: false,
      reason,
      detail: 'the Credential must be <access key id>/<YYYYMMDD>/<region>/<service>/aws4_request.',
    };
  }
  if (!HEADER_NAMES.test(signedHeaders) || !signedHeaders.split(';').includes('host')) {
    return {
      ok: false,
      reason,
      detail: 'SignedHeaders must be lower-case header names separated by ";" and include host.',
    };
  }
  if (!SIGNATURE.test(signature)) {
    return { ok: false, reason, detail: 'the Signature must be 64 lower-case hex digits.' };
  }
  return {
    ok: true,
    credential: { accessKeyId, shortDate: shortDate!, region, service },
    names: signedHeaders.split(';'),
  };
}
