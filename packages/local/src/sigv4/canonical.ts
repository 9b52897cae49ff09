/**
 * The canonical request of SigV4, built from the request as received: its own signed headers, its
 * own query, its path encoded as AWS documents (S3 once, every other service twice and
 * normalized). Pure functions; `undefined` means the request cannot be canonicalized (bad
 * percent-encoding), which the verifier refuses.
 */
import type { SignedRequest, SigV4Service } from './types.js';

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~` as upper-case `%XX`. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * S3: each segment of the decoded path encoded once, nothing normalized (`a//b` and `./` are
 * keys). Other services: the path as sent, dot segments and empty segments removed, encoded
 * again — the "double encoding" the SDKs apply to every service but S3.
 */
export function canonicalPath(rawPath: string, service: SigV4Service): string | undefined {
  if (service === 's3') {
    const segments: string[] = [];
    for (const raw of rawPath.split('/')) {
      const decoded = percentDecode(raw);
      if (decoded === undefined) return undefined;
      segments.push(uriEncode(decoded));
    }
    return segments.join('/') || '/';
  }
  const kept: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') kept.pop();
    else kept.push(segment);
  }
  const trailing = kept.length > 0 && rawPath.endsWith('/') ? '/' : '';
  const path = `/${kept.join('/')}${trailing}`;
  try {
    return uriEncode(path).replace(/%2F/g, '/');
  } catch {
    return undefined; // a lone surrogate cannot be encoded
  }
}

/**
 * Every query parameter (decoded, then encoded the SigV4 way), sorted by name then value; `omit`
 * is left out (`X-Amz-Signature` of a presigned URL). `+` is a literal plus, as in the SDKs.
 */
export function canonicalQuery(rawQuery: string, omit?: string): string | undefined {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode(eq === -1 ? part : part.slice(0, eq));
    const value = percentDecode(eq === -1 ? '' : part.slice(eq + 1));
    if (name === undefined || value === undefined) return undefined;
    if (name === omit) continue;
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** A header's canonical value: each value trimmed, inner whitespace runs collapsed, joined by `,`. */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  const values = typeof value === 'string' ? [value] : value;
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

export interface CanonicalParts {
  readonly path: string;
  readonly query: string;
  /** Lower-case names, in the order the client listed them in `SignedHeaders`. */
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
}

/** The canonical request; `undefined` when a signed header is absent from the request. */
export function canonicalRequest(
  request: Pick<SignedRequest, 'method' | 'headers'>,
  parts: CanonicalParts,
): string | undefined {
  const lines: string[] = [];
  for (const name of parts.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return undefined;
    lines.push(`${name}:${canonicalHeaderValue(value)}\n`);
  }
  return [
    request.method.toUpperCase(),
    parts.path,
    parts.query,
    lines.join(''),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}
