/**
 * One CloudTrail record per request the local endpoints serve, allowed or denied, in the record
 * format AWS documents (CloudTrail User Guide, "CloudTrail record contents" and "userIdentity
 * element"). Secrets never enter a record: `secretAccessKey` and `sessionToken` are removed from
 * request parameters and response elements at any depth, whatever their casing.
 */
import type { Caller } from '../sts/sessions.js';

export const EVENT_VERSION = '1.09';

export type EventCategory = 'Management' | 'Data';

export interface TrailResource {
  readonly type: string;
  readonly arn: string;
  readonly accountId?: string;
}

/** What an endpoint knows of a request it served. */
export interface ServedCall {
  readonly eventSource: string;
  readonly eventName: string;
  readonly region: string;
  readonly time: Date;
  /** The verified caller; undefined when the request did not authenticate. */
  readonly caller: Caller | undefined;
  /** The access key id the request named, when the caller did not verify. */
  readonly claimedAccessKeyId?: string | undefined;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  readonly readOnly: boolean;
  readonly resources: readonly TrailResource[];
  readonly category: EventCategory;
  readonly recipientAccountId: string;
}

export interface UserIdentity {
  readonly type: 'AssumedRole' | 'IAMUser' | 'Unknown';
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly sessionContext?: {
    readonly sessionIssuer: {
      readonly type: 'Role';
      readonly principalId: string;
      readonly arn: string;
      readonly accountId: string;
      readonly userName: string;
    };
    readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'false' };
    readonly sourceIdentity?: string;
  };
}

export interface CloudTrailRecord {
  readonly eventVersion: string;
  readonly userIdentity: UserIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources: readonly { type: string; ARN: string; accountId?: string }[];
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: EventCategory;
}

const SECRET_KEYS = new Set(['secretaccesskey', 'sessiontoken']);

/** A copy without secret members, at any depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (SECRET_KEYS.has(key.toLowerCase())) continue;
    out[key] = withoutSecrets(child);
  }
  return out;
}

/** CloudTrail writes times to the second, in UTC. */
export const trailTime = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function identityOf(call: ServedCall): UserIdentity {
  const { caller } = call;
  if (caller === undefined) {
    return call.claimedAccessKeyId
      ? { type: 'Unknown', accessKeyId: call.claimedAccessKeyId }
      : { type: 'Unknown' };
  }
  if (caller.kind === 'user') {
    return {
      type: 'IAMUser',
      principalId: caller.user.userId,
      arn: caller.arn,
      accountId: caller.account,
      accessKeyId: caller.accessKeyId,
      userName: caller.user.config.name,
    };
  }
  return {
    type: 'AssumedRole',
    principalId: caller.assumedRoleId,
    arn: caller.arn,
    accountId: caller.account,
    accessKeyId: caller.accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: caller.role.roleId,
        arn: caller.role.arn,
        accountId: caller.account,
        userName: caller.role.name,
      },
      attributes: { creationDate: trailTime(caller.issuedAt), mfaAuthenticated: 'false' },
      ...(caller.sourceIdentity !== undefined ? { sourceIdentity: caller.sourceIdentity } : {}),
    },
  };
}

export function cloudTrailRecord(call: ServedCall, eventId: string): CloudTrailRecord {
  return {
    eventVersion: EVENT_VERSION,
    userIdentity: identityOf(call),
    eventTime: trailTime(call.time),
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    ...(call.error ? { errorCode: call.error.code, errorMessage: call.error.message } : {}),
    requestParameters: withoutSecrets(call.requestParameters) as Record<string, unknown> | null,
    responseElements: call.error
      ? null
      : (withoutSecrets(call.responseElements) as Record<string, unknown> | null),
    requestID: call.requestId,
    eventID: eventId,
    readOnly: call.readOnly,
    resources: call.resources.map((r) => ({
      type: r.type,
      ARN: r.arn,
      ...(r.accountId ? { accountId: r.accountId } : {}),
    })),
    eventType: 'AwsApiCall',
    managementEvent: call.category === 'Management',
    recipientAccountId: call.recipientAccountId,
    eventCategory: call.category,
  };
}

/** The user name LookupEvents reports: the IAM user's name, or the role session's name. */
export function lookupUsername(record: CloudTrailRecord): string | undefined {
  const id = record.userIdentity;
  if (id.type === 'IAMUser') return id.userName;
  if (id.type === 'AssumedRole') return id.arn?.slice(id.arn.lastIndexOf('/') + 1);
  return undefined;
}
