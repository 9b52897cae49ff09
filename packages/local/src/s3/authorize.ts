/**
 * Authorizing one S3 request as AWS does for the caller: the action and resource of the
 * operation, the request context S3 documents (global keys from `principalContext`, plus
 * `s3:prefix` / `s3:delimiter` / `s3:max-keys` for listing, `s3:x-amz-acl` and the other
 * request-header keys for writes, `s3:authType`, `s3:signatureAge`...), and the bucket policy as
 * the resource-based policy. The decision is `authorize` from ../iam/authorize.ts: the same code
 * STS and IAM decide with.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ContextValue, EvaluationResult } from '@tessera/policy';
import { authorize, principalContext, type RequestEnv } from '../iam/authorize.js';
import type { Caller } from '../sts/sessions.js';
import type { Bucket } from './buckets.js';
import { actionOf, type S3Operation } from './operations.js';

export interface S3RequestFacts {
  readonly operation: S3Operation;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Header (Authorization) or query-string (presigned) authentication. */
  readonly presigned: boolean;
  /** When the request was signed (ms since epoch). */
  readonly signedAt: number;
  readonly env: RequestEnv;
}

const WRITE_HEADER_KEYS = [
  'x-amz-acl',
  'x-amz-server-side-encryption',
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-storage-class',
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
  'x-amz-grant-read',
  'x-amz-grant-write',
  'x-amz-grant-read-acp',
  'x-amz-grant-write-acp',
  'x-amz-grant-full-control',
] as const;

/** The S3 condition keys this request carries (AWS sets a key only when the request has it). */
export function s3Context(facts: S3RequestFacts, bucket: Bucket): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {
    's3:authType': facts.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER',
    's3:signatureversion': 'AWS4-HMAC-SHA256',
    's3:signatureAge': Math.max(0, facts.env.now - facts.signedAt),
    's3:ResourceAccount': bucket.account,
    'aws:ResourceAccount': bucket.account,
  };
  const sha = facts.headers['x-amz-content-sha256'];
  if (typeof sha === 'string') ctx['s3:x-amz-content-sha256'] = sha;
  const op = facts.operation;
  if (op.kind === 'ListObjectsV2') {
    for (const [param, key] of [
      ['prefix', 's3:prefix'],
      ['delimiter', 's3:delimiter'],
      ['max-keys', 's3:max-keys'],
    ] as const) {
      const v = facts.query.get(param);
      if (v !== null) ctx[key] = v;
    }
  }
  if (op.kind === 'PutObject' || op.kind === 'CreateMultipartUpload') {
    for (const h of WRITE_HEADER_KEYS) {
      const v = facts.headers[h];
      if (typeof v === 'string') ctx[`s3:${h}`] = v;
    }
  }
  return ctx;
}

export function authorizeS3(
  caller: Caller,
  bucket: Bucket,
  facts: S3RequestFacts,
): EvaluationResult {
  const { action, resource } = actionOf(facts.operation);
  return authorize(caller, {
    action,
    resource,
    context: { ...principalContext(caller, facts.env), ...s3Context(facts, bucket) },
    ...(bucket.policy ? { resourcePolicy: bucket.policy } : {}),
    resourceAccount: bucket.account,
  });
}
