/**
 * The local CloudTrail endpoint: `LookupEvents` over the JSON 1.1 protocol
 * (`X-Amz-Target: CloudTrail_20131101.LookupEvents`), SigV4 verified, authorized like every local
 * call (the caller's identity policies must allow `cloudtrail:LookupEvents`), so
 * `aws cloudtrail lookup-events --endpoint-url ...` and `@aws-sdk/client-cloudtrail` work
 * unchanged. Each LookupEvents call is itself recorded, as CloudTrail records it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, bytes, type LocalServer, listen, readBody } from '../http.js';
import { authorize as decide, principalContext } from '../iam/authorize.js';
import { verifySigV4 } from '../sigv4/index.js';
import { type QueryServerDeps, sourceIpOf } from '../sts/server.js';
import type { Caller } from '../sts/sessions.js';
import { type CloudTrailRecord, lookupUsername } from './record.js';
import {
  LOOKUP_ATTRIBUTE_KEYS,
  type LocalTrail,
  type LookupAttributeKey,
  type LookupQuery,
} from './trail.js';

const TARGET_PREFIX = 'CloudTrail_20131101.';
const FULL_TARGET_PREFIX = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.';
const MAX_BODY = 64 * 1024;
const SOURCE = 'cloudtrail.amazonaws.com';

export interface CloudTrailServerDeps extends QueryServerDeps {
  readonly trail: LocalTrail;
}

/** An error as the JSON protocols answer it: `{"__type": code, "Message": ...}`. */
class JsonError extends Error {
  override readonly name = 'JsonError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** SigV4 failures in the JSON protocols' vocabulary. */
const AUTH_CODES: Readonly<Record<string, string>> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InvalidClientTokenId: 'UnrecognizedClientException',
  InvalidAccessKeyId: 'UnrecognizedClientException',
  ExpiredToken: 'ExpiredTokenException',
  RequestExpired: 'InvalidSignatureException',
  RequestTimeTooSkewed: 'InvalidSignatureException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
};

function sendJson11(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

const epochSeconds = (value: unknown, member: string): Date | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new JsonError('ValidationException', 400, `${member} must be a timestamp`);
  return new Date(value * 1000);
};

function lookupAttribute(raw: unknown): LookupQuery['attribute'] {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw))
    throw new JsonError(
      'InvalidLookupAttributesException',
      400,
      'LookupAttributes must be a list.',
    );
  if (raw.length === 0) return undefined;
  if (raw.length > 1) {
    throw new JsonError(
      'InvalidLookupAttributesException',
      400,
      'You cannot specify more than one lookup attribute.',
    );
  }
  const { AttributeKey: key, AttributeValue: value } = (raw[0] ?? {}) as Record<string, unknown>;
  if (!LOOKUP_ATTRIBUTE_KEYS.includes(key as LookupAttributeKey)) {
    throw new JsonError(
      'InvalidLookupAttributesException',
      400,
      `AttributeKey must be one of ${LOOKUP_ATTRIBUTE_KEYS.join(', ')}.`,
    );
  }
  if (typeof value !== 'string' || value.length < 1 || value.length > 2000) {
    throw new JsonError(
      'InvalidLookupAttributesException',
      400,
      'AttributeValue must be 1 to 2000 characters.',
    );
  }
  return { key: key as LookupAttributeKey, value };
}

/** The LookupEvents request, checked as CloudTrail checks it. */
export function parseLookupEvents(rawBody: unknown, account: string): LookupQuery {
  if (rawBody === null || typeof rawBody !== 'object' || Array.isArray(rawBody))
    throw new JsonError('SerializationException', 400, 'The request body must be a JSON object.');
  const body = rawBody as Record<string, unknown>;
  const startTime = epochSeconds(body.StartTime, 'StartTime');
  const endTime = epochSeconds(body.EndTime, 'EndTime');
  if (startTime && endTime && startTime > endTime) {
    throw new JsonError('InvalidTimeRangeException', 400, 'StartTime must be before EndTime.');
  }
  const maxResults = body.MaxResults ?? 50;
  if (!Number.isInteger(maxResults) || (maxResults as number) < 1 || (maxResults as number) > 50)
    throw new JsonError('InvalidMaxResultsException', 400, 'MaxResults must be 1 to 50.');
  const nextToken = body.NextToken;
  if (nextToken !== undefined && typeof nextToken !== 'string')
    throw new JsonError('InvalidNextTokenException', 400, 'Invalid NextToken.');
  return {
    account,
    attribute: lookupAttribute(body.LookupAttributes),
    startTime,
    endTime,
    maxResults: maxResults as number,
    nextToken,
  };
}

/** One event as LookupEvents answers it (the whole record as the `CloudTrailEvent` string). */
function lookupEvent(record: CloudTrailRecord) {
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    AccessKeyId: record.userIdentity.accessKeyId,
    EventTime: Date.parse(record.eventTime) / 1000,
    EventSource: record.eventSource,
    Username: lookupUsername(record),
    Resources: record.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.ARN })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

async function authenticate(
  req: IncomingMessage,
  body: Buffer,
  deps: CloudTrailServerDeps,
): Promise<Caller> {
  const verified = await verifySigV4(
    {
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      headers: req.headersDistinct,
      body: bytes(body),
    },
    { service: 'cloudtrail', registry: deps.registry, now: deps.now },
  );
  if (!verified.ok) {
    throw new JsonError(
      AUTH_CODES[verified.code] ?? 'UnrecognizedClientException',
      verified.status,
      verified.message,
    );
  }
  return verified.caller;
}

function authorize(caller: Caller, req: IncomingMessage, deps: CloudTrailServerDeps): void {
  const context = principalContext(caller, {
    sourceIp: sourceIpOf(req),
    userAgent: String(req.headers['user-agent'] ?? ''),
    region: deps.region,
    now: deps.now(),
  });
  if (
    decide(caller, { action: 'cloudtrail:LookupEvents', resource: '*', context }).decision !==
    'Allow'
  ) {
    throw new JsonError(
      'AccessDeniedException',
      400,
      `User: ${caller.arn} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`,
    );
  }
}

async function readJson(req: IncomingMessage): Promise<{ body: Buffer; parsed: unknown }> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLargeError)
      throw new JsonError('SerializationException', 413, 'The request body is too large.');
    throw err;
  }
  try {
    return { body, parsed: body.length === 0 ? {} : JSON.parse(body.toString('utf8')) };
  } catch {
    return { body, parsed: undefined };
  }
}

function operationOf(req: IncomingMessage): string {
  const target = String(req.headers['x-amz-target'] ?? '');
  if (target.startsWith(FULL_TARGET_PREFIX)) return target.slice(FULL_TARGET_PREFIX.length);
  if (target.startsWith(TARGET_PREFIX)) return target.slice(TARGET_PREFIX.length);
  return target;
}

export async function startCloudTrail(
  deps: CloudTrailServerDeps,
  options: { port: number; fallbackToRandom: boolean },
): Promise<LocalServer> {
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    let caller: Caller | undefined;
    let query: LookupQuery | undefined;
    const finish = (status: number, body: unknown, error?: JsonError) => {
      deps.trail.record({
        eventSource: SOURCE,
        eventName: 'LookupEvents',
        region: deps.region,
        time: new Date(deps.now()),
        caller,
        sourceIp: sourceIpOf(req),
        userAgent: String(req.headers['user-agent'] ?? ''),
        requestId,
        requestParameters: query
          ? {
              ...(query.attribute
                ? {
                    lookupAttributes: [
                      { attributeKey: query.attribute.key, attributeValue: query.attribute.value },
                    ],
                  }
                : {}),
              maxResults: query.maxResults,
            }
          : null,
        responseElements: null,
        error: error ? { code: error.code, message: error.message } : undefined,
        readOnly: true,
        resources: [],
        category: 'Management',
        recipientAccountId: caller?.account ?? '',
      });
      sendJson11(res, status, body, requestId);
    };
    try {
      if (req.method !== 'POST')
        throw new JsonError('UnknownOperationException', 400, `${req.method} is not supported`);
      const { body, parsed } = await readJson(req);
      caller = await authenticate(req, body, deps);
      const operation = operationOf(req);
      if (operation !== 'LookupEvents') {
        throw new JsonError(
          'UnknownOperationException',
          400,
          `The local CloudTrail answers LookupEvents, not ${operation || 'an empty X-Amz-Target'}`,
        );
      }
      authorize(caller, req, deps);
      if (parsed === undefined)
        throw new JsonError('SerializationException', 400, 'The request body is not JSON.');
      query = parseLookupEvents(parsed, caller.account);
      const result = deps.trail.lookup(query);
      if (!result.ok) throw new JsonError(result.code, 400, result.message);
      finish(200, {
        Events: result.events.map(lookupEvent),
        ...(result.nextToken ? { NextToken: result.nextToken } : {}),
      });
    } catch (err) {
      if (!(err instanceof JsonError)) throw err;
      finish(err.status, { __type: err.code, Message: err.message }, err);
    }
  };
  return listen(handler, { ...options, name: 'cloudtrail' });
}
