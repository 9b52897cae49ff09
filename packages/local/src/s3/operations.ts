/**
 * Which S3 operation a path-style request is (`/<bucket>[/<key>]` plus the sub-resource query
 * parameters), and what it needs authorized: the IAM action and resource ARN S3 documents for it
 * ("Actions, resources, and condition keys for Amazon S3"). ListObjectsV2 and HeadBucket are
 * `s3:ListBucket` on the bucket; the multipart steps that write are `s3:PutObject` on the object.
 */
import { bucketArn, objectArn } from './buckets.js';
import { S3Error } from './errors.js';

export type S3Operation =
  | { readonly kind: 'HeadBucket'; readonly bucket: string }
  | { readonly kind: 'ListObjectsV2'; readonly bucket: string }
  | { readonly kind: 'GetObject'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'HeadObject'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'PutObject'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'DeleteObject'; readonly bucket: string; readonly key: string }
  | { readonly kind: 'CreateMultipartUpload'; readonly bucket: string; readonly key: string }
  | {
      readonly kind: 'UploadPart';
      readonly bucket: string;
      readonly key: string;
      readonly uploadId: string;
      readonly partNumber: string;
    }
  | {
      readonly kind: 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts';
      readonly bucket: string;
      readonly key: string;
      readonly uploadId: string;
    };

export type S3OperationKind = S3Operation['kind'];

/** S3's limit on a key's UTF-8 length. */
const MAX_KEY_BYTES = 1024;

export interface ParsedTarget {
  readonly bucket: string;
  /** Undefined for a bucket-level request. */
  readonly key: string | undefined;
}

/** `/<bucket>/<key>` (path-style), percent-decoded as S3 decodes it. */
export function parseTarget(rawPath: string): ParsedTarget | undefined {
  const path = rawPath.split('?')[0]!;
  if (!path.startsWith('/') || path === '/') return undefined;
  const slash = path.indexOf('/', 1);
  const rawBucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const rawKey = slash < 0 ? '' : path.slice(slash + 1);
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(rawBucket);
    key = decodeURIComponent(rawKey);
  } catch {
    throw new S3Error(
      'InvalidArgument',
      400,
      'The request path is not valid percent-encoded UTF-8.',
    );
  }
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', 400, 'Your key is too long', {
      MaxSizeAllowed: String(MAX_KEY_BYTES),
      Size: String(Buffer.byteLength(key)),
    });
  }
  return { bucket, key: key === '' ? undefined : key };
}

export function classify(
  method: string,
  target: ParsedTarget,
  query: URLSearchParams,
): S3Operation {
  const { bucket, key } = target;
  if (key === undefined) {
    if (method === 'HEAD') return { kind: 'HeadBucket', bucket };
    if (method === 'GET' && query.get('list-type') === '2')
      return { kind: 'ListObjectsV2', bucket };
    throw notImplemented(method, 'this bucket operation');
  }
  const uploadId = query.get('uploadId');
  if (uploadId !== null) {
    const at = { bucket, key, uploadId };
    switch (method) {
      case 'PUT': {
        if (query.has('x-id') && query.get('x-id') !== 'UploadPart') break;
        return { kind: 'UploadPart', ...at, partNumber: query.get('partNumber') ?? '' };
      }
      case 'POST':
        return { kind: 'CompleteMultipartUpload', ...at };
      case 'DELETE':
        return { kind: 'AbortMultipartUpload', ...at };
      case 'GET':
        return { kind: 'ListParts', ...at };
    }
    throw notImplemented(method, 'this multipart operation');
  }
  if (method === 'POST' && query.has('uploads'))
    return { kind: 'CreateMultipartUpload', bucket, key };
  const subresource = [...query.keys()].find((k) => SUBRESOURCES.has(k));
  if (subresource !== undefined) throw notImplemented(method, `?${subresource}`);
  switch (method) {
    case 'GET':
      return { kind: 'GetObject', bucket, key };
    case 'HEAD':
      return { kind: 'HeadObject', bucket, key };
    case 'PUT':
      if (query.has('partNumber')) break;
      return { kind: 'PutObject', bucket, key };
    case 'DELETE':
      return { kind: 'DeleteObject', bucket, key };
  }
  throw new S3Error(
    'MethodNotAllowed',
    405,
    'The specified method is not allowed against this resource.',
    {
      Method: method,
      ResourceType: 'OBJECT',
    },
  );
}

/** Object sub-resources the local S3 does not implement (answered NotImplemented, never as GetObject). */
const SUBRESOURCES = new Set([
  'acl',
  'tagging',
  'retention',
  'legal-hold',
  'torrent',
  'restore',
  'select',
  'attributes',
  'versionId',
  'uploads',
]);

function notImplemented(method: string, what: string): S3Error {
  return new S3Error(
    'NotImplemented',
    501,
    `A header or query you provided implies functionality that is not implemented (${method} ${what} in the local S3).`,
  );
}

/** The IAM action and resource ARN an operation is authorized as. */
export function actionOf(op: S3Operation): { readonly action: string; readonly resource: string } {
  switch (op.kind) {
    case 'HeadBucket':
    case 'ListObjectsV2':
      return { action: 's3:ListBucket', resource: bucketArn(op.bucket) };
    case 'GetObject':
    case 'HeadObject':
      return { action: 's3:GetObject', resource: objectArn(op.bucket, op.key) };
    case 'PutObject':
    case 'CreateMultipartUpload':
    case 'UploadPart':
    case 'CompleteMultipartUpload':
      return { action: 's3:PutObject', resource: objectArn(op.bucket, op.key) };
    case 'DeleteObject':
      return { action: 's3:DeleteObject', resource: objectArn(op.bucket, op.key) };
    case 'AbortMultipartUpload':
      return { action: 's3:AbortMultipartUpload', resource: objectArn(op.bucket, op.key) };
    case 'ListParts':
      return { action: 's3:ListMultipartUploadParts', resource: objectArn(op.bucket, op.key) };
  }
}
