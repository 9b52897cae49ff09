/**
 * The single-request object operations: PutObject, GetObject (with a byte range), HeadObject,
 * DeleteObject, and the bucket's HeadBucket and ListObjectsV2. Each takes the verified request
 * and answers data; the server writes it.
 */

import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { bytes } from '../http.js';
import { headerOf } from './checksums.js';
import { S3Error, s3Errors } from './errors.js';
import type { VerifiedPayload } from './payload.js';
import type { ObjectHeaders, ObjectMeta, ObjectStore } from './storage.js';
import { type XmlNode, xmlDocument } from './xml.js';

export interface S3Response {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Readable;
}

const XML = 'application/xml';
const MAX_LIST_KEYS = 1000;

export const quoted = (etag: string) => `"${etag}"`;
export const httpDate = (iso: string) => new Date(iso).toUTCString();

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The headers an object keeps, from its PutObject / CreateMultipartUpload request. */
export function objectHeaders(headers: IncomingHttpHeaders): ObjectHeaders {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  // aws-chunked is the transfer framing, not the object's encoding.
  const encoding = one(headers, 'content-encoding')
    ?.split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '' && e !== 'aws-chunked')
    .join(', ');
  const optional = (key: keyof ObjectHeaders, header: string) => {
    const v = one(headers, header);
    return v === undefined || v === '' ? {} : { [key]: v };
  };
  return {
    contentType: one(headers, 'content-type') || 'binary/octet-stream',
    ...(encoding ? { contentEncoding: encoding } : {}),
    ...optional('contentDisposition', 'content-disposition'),
    ...optional('contentLanguage', 'content-language'),
    ...optional('cacheControl', 'cache-control'),
    ...optional('expires', 'expires'),
    metadata,
  };
}

export async function putObject(
  store: ObjectStore,
  at: { bucket: string; key: string },
  headers: IncomingHttpHeaders,
  payload: VerifiedPayload,
  now: Date,
): Promise<S3Response> {
  const etag = createHash('md5').update(bytes(payload.data)).digest('hex');
  const checksum = payload.checksum
    ? { ...payload.checksum, type: 'FULL_OBJECT' as const }
    : undefined;
  await store.put(
    at.bucket,
    {
      key: at.key,
      size: payload.data.length,
      etag,
      checksum,
      partCount: undefined,
      ...objectHeaders(headers),
    },
    payload.data,
    now,
  );
  const out: Record<string, string> = { etag: quoted(etag) };
  if (checksum) {
    out[headerOf(checksum.algorithm)] = checksum.value;
    out['x-amz-checksum-type'] = checksum.type;
  }
  return { status: 200, headers: out };
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined for anything S3 ignores (it serves the whole object). */
export function parseRange(
  raw: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (raw === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(raw.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** The response-* query parameters a (presigned) GET may use to override headers. */
const OVERRIDES = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
] as const;

export function objectResponseHeaders(
  meta: ObjectMeta,
  withChecksum: boolean,
  query: URLSearchParams,
): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': meta.contentType,
    etag: quoted(meta.etag),
    'last-modified': httpDate(meta.lastModified),
    'accept-ranges': 'bytes',
  };
  if (meta.contentEncoding) out['content-encoding'] = meta.contentEncoding;
  if (meta.contentDisposition) out['content-disposition'] = meta.contentDisposition;
  if (meta.contentLanguage) out['content-language'] = meta.contentLanguage;
  if (meta.cacheControl) out['cache-control'] = meta.cacheControl;
  if (meta.expires) out.expires = meta.expires;
  for (const [k, v] of Object.entries(meta.metadata)) out[`x-amz-meta-${k}`] = v;
  if (withChecksum && meta.checksum) {
    out[headerOf(meta.checksum.algorithm)] = meta.checksum.value;
    out['x-amz-checksum-type'] = meta.checksum.type;
  }
  if (meta.partCount !== undefined) out['x-amz-mp-parts-count'] = String(meta.partCount);
  for (const [param, header] of OVERRIDES) {
    const v = query.get(param);
    if (v !== null) out[header] = v;
  }
  return out;
}

/** `*`, or one of a list of quoted ETags (weak ones compared by their value). */
function etagMatches(header: string, etag: string): boolean {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === quoted(etag));
}

/**
 * Conditional GET/HEAD as S3 answers it (RFC 9110 order): If-Match fails → 412; else
 * If-Unmodified-Since fails (without If-Match) → 412; If-None-Match matches → 304; else
 * If-Modified-Since not after the object → 304. Undefined: serve the object.
 */
function preconditions(meta: ObjectMeta, headers: IncomingHttpHeaders): S3Response | undefined {
  const ifMatch = one(headers, 'if-match');
  const ifNoneMatch = one(headers, 'if-none-match');
  const since = (name: string) => {
    const v = one(headers, name);
    const t = v === undefined ? Number.NaN : Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  };
  const modified = Math.floor(Date.parse(meta.lastModified) / 1000) * 1000;
  const failed = () =>
    new S3Error(
      'PreconditionFailed',
      412,
      'At least one of the pre-conditions you specified did not hold',
      {
        Condition: ifMatch !== undefined ? 'If-Match' : 'If-Unmodified-Since',
      },
    );
  if (ifMatch !== undefined && !etagMatches(ifMatch, meta.etag)) throw failed();
  const unmodifiedSince = since('if-unmodified-since');
  if (ifMatch === undefined && unmodifiedSince !== undefined && modified > unmodifiedSince)
    throw failed();
  const notModified = {
    status: 304,
    headers: { etag: quoted(meta.etag), 'last-modified': httpDate(meta.lastModified) },
  };
  if (ifNoneMatch !== undefined)
    return etagMatches(ifNoneMatch, meta.etag) ? notModified : undefined;
  const modifiedSince = since('if-modified-since');
  if (modifiedSince !== undefined && modified <= modifiedSince) return notModified;
  return undefined;
}

export function getObject(
  store: ObjectStore,
  at: { bucket: string; key: string },
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  head: boolean,
): S3Response {
  const meta = store.head(at.bucket, at.key);
  if (!meta) {
    // HEAD answers carry no body; the code still tells the SDK what happened.
    throw s3Errors.noSuchKey(at.key);
  }
  const unchanged = preconditions(meta, headers);
  if (unchanged) return unchanged;
  const range = parseRange(one(headers, 'range'), meta.size);
  if (range === 'unsatisfiable') {
    throw new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
      RangeRequested: one(headers, 'range') ?? '',
      ActualObjectSize: String(meta.size),
    });
  }
  const checksumMode = one(headers, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED';
  const out = objectResponseHeaders(meta, checksumMode && range === undefined, query);
  const length = range ? range.end - range.start + 1 : meta.size;
  out['content-length'] = String(length);
  if (range) out['content-range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
  const status = range ? 206 : 200;
  if (head || length === 0) return { status, headers: out };
  return { status, headers: out, body: store.open(at.bucket, meta, range) };
}

export function deleteObject(store: ObjectStore, at: { bucket: string; key: string }): S3Response {
  store.delete(at.bucket, at.key);
  return { status: 204, headers: {} };
}

export function headBucket(region: string): S3Response {
  return { status: 200, headers: { 'x-amz-bucket-region': region } };
}

/** `encoding-type=url`: S3 percent-encodes keys and prefixes in the answer (the CLI asks for it). */
function encoder(query: URLSearchParams): (s: string) => string {
  const type = query.get('encoding-type');
  if (type === null) return (s) => s;
  if (type !== 'url') {
    throw s3Errors.invalidArgument(
      'Invalid Encoding Method specified in Request',
      'encoding-type',
      type,
    );
  }
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}

export function listObjectsV2(
  store: ObjectStore,
  bucket: string,
  query: URLSearchParams,
): S3Response {
  const enc = encoder(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? undefined;
  const rawMax = query.get('max-keys');
  if (rawMax !== null && !/^\d+$/.test(rawMax)) {
    throw s3Errors.invalidArgument(
      'Provided max-keys not an integer or within integer range',
      'max-keys',
      rawMax,
    );
  }
  const maxKeys = Math.min(rawMax === null ? MAX_LIST_KEYS : Number(rawMax), MAX_LIST_KEYS);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? undefined;
  const after = token === null ? startAfter : decodeToken(token);
  const page = store.list(bucket, { prefix, delimiter, after, maxKeys });
  const contents: XmlNode[] = page.contents.map((o) => ({
    Key: enc(o.key),
    LastModified: o.lastModified,
    ETag: quoted(o.etag),
    ...(o.checksum
      ? { ChecksumAlgorithm: o.checksum.algorithm, ChecksumType: o.checksum.type }
      : {}),
    Size: o.size,
    StorageClass: 'STANDARD',
  }));
  const body: XmlNode = {
    Name: bucket,
    Prefix: enc(prefix),
    ...(delimiter !== undefined ? { Delimiter: enc(delimiter) } : {}),
    MaxKeys: maxKeys,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.next !== undefined,
    ...(token !== null ? { ContinuationToken: token } : {}),
    ...(page.next !== undefined ? { NextContinuationToken: encodeToken(page.next) } : {}),
    ...(startAfter !== undefined ? { StartAfter: enc(startAfter) } : {}),
    ...(query.get('encoding-type') === 'url' ? { EncodingType: 'url' } : {}),
    Contents: contents,
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  };
  return {
    status: 200,
    headers: { 'content-type': XML },
    body: xmlDocument('ListBucketResult', body),
  };
}

/** The continuation token: the last key or prefix returned, opaque to the client. */
function encodeToken(after: string): string {
  return Buffer.from(`v1:${after}`).toString('base64');
}

function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64').toString('utf8');
  if (!text.startsWith('v1:') || encodeToken(text.slice(3)) !== token) {
    throw s3Errors.invalidArgument(
      'The continuation token provided is incorrect',
      'continuation-token',
      token,
    );
  }
  return text.slice(3);
}
