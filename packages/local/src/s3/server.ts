/**
 * The local S3 endpoint: path-style REST (`<url>/<bucket>/<key>`) over node:http. One request,
 * one pipeline with one exit (`answer`): read the body (capped) → SigV4 (header or presigned URL,
 * `service: s3`) → bucket → operation → authorize (role policies ∩ session policy, plus the
 * bucket policy) → payload (aws-chunked, digests) → the operation → the answer, with the bucket's
 * CORS headers when the request has an Origin. Every failure is an S3 `<Error>`; anything
 * unexpected is a 500 InternalError without internals. A preflight (OPTIONS) is answered from the
 * bucket's CORS rules without authentication, as S3 does.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { s3Call } from '../cloudtrail/s3-calls.js';
import type { LocalTrail } from '../cloudtrail/trail.js';
import { BodyTooLargeError, bytes, type LocalServer, listen, readBody } from '../http.js';
import { verifySigV4 } from '../sigv4/index.js';
import { sourceIpOf } from '../sts/server.js';
import type { Caller, SessionRegistry } from '../sts/sessions.js';
import { authorizeS3, type S3RequestFacts } from './authorize.js';
import type { Bucket } from './buckets.js';
import { corsHeaders, matchRule, preflight } from './cors.js';
import { isS3ErrorCode, S3Error, s3Errors } from './errors.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from './multipart.js';
import {
  deleteObject,
  getObject,
  headBucket,
  listObjectsV2,
  putObject,
  type S3Response,
} from './objects.js';
import { classify, parseTarget, type S3Operation } from './operations.js';
import { verifyPayload } from './payload.js';
import type { ObjectStore } from './storage.js';
import { errorXml, hostId } from './xml.js';

/** The largest request body the local S3 reads (a single PUT or one part). */
export const MAX_S3_BODY_BYTES = 64 * 1024 * 1024;

export interface S3Deps {
  readonly registry: SessionRegistry;
  readonly region: string;
  readonly now: () => number;
  readonly buckets: ReadonlyMap<string, Bucket>;
  readonly store: ObjectStore;
  /** Where every authenticated call is recorded, CloudTrail-shaped (none: not recorded). */
  readonly trail?: LocalTrail;
}

interface Exchange {
  readonly req: IncomingMessage;
  readonly url: URL;
  readonly requestId: string;
  /** CORS headers for the bucket's matching rule (empty without Origin or a match). */
  cors: Record<string, string>;
  /** Known once the request authenticated and named an operation on a bucket: what to record. */
  served?: { caller: Caller; operation: S3Operation; bucketAccount: string };
  /** The S3 error answered, if any. */
  error?: { code: string; message: string };
}

export async function startS3(
  deps: S3Deps,
  options: { port: number; fallbackToRandom: boolean },
): Promise<LocalServer> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const ex: Exchange = {
      req,
      url: new URL(req.url ?? '/', 'http://local'),
      requestId: randomBytes(8).toString('hex').toUpperCase(),
      cors: {},
    };
    let response: S3Response;
    try {
      response = await handle(ex, deps);
    } catch (err) {
      response = errorResponse(ex, err);
    }
    record(ex, deps);
    await answer(res, ex, response);
  };
  return listen(handler, { ...options, name: 's3' });
}

async function handle(ex: Exchange, deps: S3Deps): Promise<S3Response> {
  const { req, url } = ex;
  const method = req.method ?? 'GET';
  // The path as received: S3 keeps `.` and `..` segments as part of the key (the WHATWG URL
  // parser behind `url.pathname` would remove them and address another key).
  const target = parseTarget(req.url ?? '/');
  if (method === 'OPTIONS') return preflightAnswer(ex, deps, target?.bucket);
  const raw = await readS3Body(req);
  // S3 adds a matching rule's CORS headers to every answer, refusals included.
  const known = target && deps.buckets.get(target.bucket);
  if (known) ex.cors = actualCors(known, req, method);
  const auth = await verifySigV4(
    { method, url: req.url ?? '/', headers: req.headersDistinct, body: bytes(raw) },
    { service: 's3', registry: deps.registry, now: deps.now, region: deps.region },
  );
  if (!auth.ok) {
    // The verifier names the failure with S3's own wire code for `service: 's3'`.
    if (!isS3ErrorCode(auth.code)) throw s3Errors.accessDenied(); // fail closed, never a grant
    throw new S3Error(auth.code, auth.status, auth.message);
  }
  if (!target)
    throw new S3Error('NotImplemented', 501, 'ListBuckets is not implemented in the local S3.');
  const bucket = deps.buckets.get(target.bucket);
  if (!bucket) throw s3Errors.noSuchBucket(target.bucket);
  // A client that names the bucket's owner is refused when it is another account.
  const owner = one(req, 'x-amz-expected-bucket-owner');
  if (owner !== undefined && owner !== bucket.account) throw s3Errors.accessDenied();
  const operation = classify(method, target, url.searchParams);
  ex.served = { caller: auth.caller, operation, bucketAccount: bucket.account };
  const now = deps.now();
  const facts: S3RequestFacts = {
    operation,
    query: url.searchParams,
    headers: req.headers,
    presigned: auth.presigned,
    signedAt: amzDateMs(auth.amzDate),
    env: {
      sourceIp: sourceIpOf(req),
      userAgent: one(req, 'user-agent') ?? '',
      region: deps.region,
      now,
    },
  };
  const allowed = (f: S3RequestFacts) => {
    const decision = authorizeS3(auth.caller, bucket, f);
    // An evaluation that failed inside is a deny and a bug: answered 500, never a grant.
    if (decision.errors.length > 0) throw s3Errors.internal();
    return decision.decision === 'Allow';
  };
  if (!allowed(facts)) throw s3Errors.accessDenied();
  const payload = await verifyPayload(raw, req.headers, auth);
  try {
    return await perform(operation, ex, deps, payload, new Date(now));
  } catch (err) {
    // S3 tells a missing key apart only to a caller who may list the bucket; others get 403.
    const listing = { ...facts, operation: { kind: 'HeadBucket', bucket: bucket.name } as const };
    if (err instanceof S3Error && err.code === 'NoSuchKey' && !allowed(listing)) {
      throw s3Errors.accessDenied();
    }
    throw err;
  }
}

/** A CORS preflight, answered from the bucket's rules without authentication. */
function preflightAnswer(ex: Exchange, deps: S3Deps, name: string | undefined): S3Response {
  const bucket = name === undefined ? undefined : deps.buckets.get(name);
  if (!bucket) throw s3Errors.noSuchBucket(name ?? '');
  const headers = preflight(bucket.cors, {
    origin: one(ex.req, 'origin'),
    method: one(ex.req, 'access-control-request-method'),
    headers: one(ex.req, 'access-control-request-headers'),
  });
  return { status: 200, headers };
}

async function readS3Body(req: IncomingMessage): Promise<Buffer> {
  try {
    return await readBody(req, MAX_S3_BODY_BYTES);
  } catch (err) {
    if (!(err instanceof BodyTooLargeError)) throw err;
    throw new S3Error(
      'EntityTooLarge',
      400,
      'Your proposed upload exceeds the maximum allowed size',
      {
        MaxSizeAllowed: String(MAX_S3_BODY_BYTES),
      },
    );
  }
}

async function perform(
  op: S3Operation,
  ex: Exchange,
  deps: S3Deps,
  payload: Awaited<ReturnType<typeof verifyPayload>>,
  now: Date,
): Promise<S3Response> {
  const { req, url } = ex;
  const store = deps.store;
  switch (op.kind) {
    case 'HeadBucket':
      return headBucket(deps.region);
    case 'ListObjectsV2':
      return listObjectsV2(store, op.bucket, url.searchParams);
    case 'GetObject':
    case 'HeadObject':
      return getObject(store, op, req.headers, url.searchParams, op.kind === 'HeadObject');
    case 'PutObject':
      return putObject(store, op, req.headers, payload, now);
    case 'DeleteObject':
      return deleteObject(store, op);
    case 'CreateMultipartUpload':
      return createMultipartUpload(store, op, req.headers, now);
    case 'UploadPart':
      return uploadPart(store, op, payload, now);
    case 'CompleteMultipartUpload': {
      const location = `http://${one(req, 'host') ?? 'localhost'}${url.pathname}`;
      return completeMultipartUpload(store, op, req.headers, payload.data, location, now);
    }
    case 'AbortMultipartUpload':
      return abortMultipartUpload(store, op);
    case 'ListParts':
      return listParts(store, op);
  }
}

function one(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** `20260101T000000Z` → ms. */
function amzDateMs(amzDate: string): number {
  const d = amzDate;
  return Date.UTC(
    +d.slice(0, 4),
    +d.slice(4, 6) - 1,
    +d.slice(6, 8),
    +d.slice(9, 11),
    +d.slice(11, 13),
    +d.slice(13, 15),
  );
}

function actualCors(bucket: Bucket, req: IncomingMessage, method: string): Record<string, string> {
  const origin = one(req, 'origin');
  if (!origin) return {};
  const request = { origin, method, headers: [] };
  const rule = matchRule(bucket.cors, request);
  return rule ? corsHeaders(rule, request) : {};
}

/** The CloudTrail record of an authenticated call, stored before the answer leaves. */
function record(ex: Exchange, deps: S3Deps): void {
  if (!deps.trail || !ex.served) return;
  deps.trail.record(
    s3Call({
      ...ex.served,
      query: ex.url.searchParams,
      host: one(ex.req, 'host') ?? '',
      requestId: ex.requestId,
      time: new Date(deps.now()),
      region: deps.region,
      sourceIp: sourceIpOf(ex.req),
      userAgent: one(ex.req, 'user-agent') ?? '',
      error: ex.error,
    }),
  );
}

function errorResponse(ex: Exchange, err: unknown): S3Response {
  const e = err instanceof S3Error ? err : s3Errors.internal();
  ex.error = { code: e.code, message: e.message };
  if (!(err instanceof S3Error)) {
    process.emitWarning(`tessera local s3: ${String((err as Error)?.stack ?? err)}`);
  }
  const body = ex.req.method === 'HEAD' ? undefined : errorXml(e, ex.url.pathname, ex.requestId);
  return {
    status: e.status,
    headers: { 'content-type': 'application/xml' },
    ...(body ? { body } : {}),
  };
}

async function answer(res: ServerResponse, ex: Exchange, response: S3Response): Promise<void> {
  const headers: Record<string, string> = {
    'x-amz-request-id': ex.requestId,
    'x-amz-id-2': hostId(ex.requestId),
    server: 'AmazonS3',
    ...ex.cors,
    ...response.headers,
  };
  const body = response.body;
  if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
  else if (body === undefined && headers['content-length'] === undefined)
    headers['content-length'] = '0';
  // A request body left unread (too large) cannot be drained: close the connection after answering.
  if (!ex.req.complete) headers.connection = 'close';
  res.writeHead(response.status, headers);
  if (body === undefined || ex.req.method === 'HEAD') {
    res.end();
    if (body instanceof Readable) body.destroy();
    return;
  }
  if (typeof body === 'string') {
    res.end(body);
    return;
  }
  try {
    await pipeline(body, res);
  } catch {
    res.destroy();
  }
}
