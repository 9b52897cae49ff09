/**
 * What CloudTrail records of a local S3 call: object operations and ListObjects are data events,
 * HeadBucket a management event; the object and its bucket as resources; the bucket, key and
 * query parameters CloudTrail shows as request parameters. Recorded for authenticated callers,
 * allowed or refused, in the caller's account (the requester's trail).
 */
import type { S3Operation } from '../s3/operations.js';
import type { Caller } from '../sts/sessions.js';
import type { ServedCall, TrailResource } from './record.js';

export interface S3CallOutcome {
  readonly operation: S3Operation;
  readonly caller: Caller;
  readonly bucketAccount: string;
  readonly query: URLSearchParams;
  readonly host: string;
  readonly requestId: string;
  readonly time: Date;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

const READ_ONLY = new Set(['HeadBucket', 'ListObjectsV2', 'GetObject', 'HeadObject', 'ListParts']);
/** CloudTrail names ListObjectsV2 calls `ListObjects` (with `list-type: 2`). */
const EVENT_NAMES: Partial<Record<S3Operation['kind'], string>> = { ListObjectsV2: 'ListObjects' };
const SHOWN_QUERY = ['prefix', 'delimiter', 'max-keys', 'list-type', 'partNumber', 'uploadId'];

function resourcesOf(outcome: S3CallOutcome): TrailResource[] {
  const { operation, bucketAccount } = outcome;
  const bucket: TrailResource = {
    type: 'AWS::S3::Bucket',
    arn: `arn:aws:s3:::${operation.bucket}`,
    accountId: bucketAccount,
  };
  if (!('key' in operation)) return [bucket];
  return [
    { type: 'AWS::S3::Object', arn: `arn:aws:s3:::${operation.bucket}/${operation.key}` },
    bucket,
  ];
}

function requestParameters(outcome: S3CallOutcome): Record<string, unknown> {
  const { operation, query } = outcome;
  const shown: Record<string, unknown> = { bucketName: operation.bucket, Host: outcome.host };
  if ('key' in operation) shown.key = operation.key;
  for (const name of SHOWN_QUERY) {
    const value = query.get(name);
    if (value !== null) shown[name] = value;
  }
  return shown;
}

export function s3Call(outcome: S3CallOutcome): ServedCall {
  const kind = outcome.operation.kind;
  return {
    eventSource: 's3.amazonaws.com',
    eventName: EVENT_NAMES[kind] ?? kind,
    region: outcome.region,
    time: outcome.time,
    caller: outcome.caller,
    sourceIp: outcome.sourceIp,
    userAgent: outcome.userAgent,
    requestId: outcome.requestId,
    requestParameters: requestParameters(outcome),
    responseElements: null,
    error: outcome.error,
    readOnly: READ_ONLY.has(kind),
    resources: resourcesOf(outcome),
    category: kind === 'HeadBucket' ? 'Management' : 'Data',
    recipientAccountId: outcome.caller.account,
  };
}
