/**
 * The trail of a grant: what was done with the credentials Tessera vended, as CloudTrail recorded
 * it. Tessera's audit event names the vended access key id and the role's account; CloudTrail
 * names the same key id in `userIdentity.accessKeyId` of every call made with it. This module is
 * pure: it says which lookups a grant needs and summarises CloudTrail records; a `TrailSource`
 * (the CloudTrail adapter on `./aws`) runs the lookups.
 */
import type { AuditEvent } from './audit.js';

/** A lookup of one account's CloudTrail by access key id over a time window. */
export interface TrailLookup {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly startTime: Date;
  readonly endTime: Date;
}

/** What a lookup found, or why it could not search that account. */
export type TrailSearch =
  | { readonly ok: true; readonly records: readonly Readonly<Record<string, unknown>>[] }
  | {
      readonly ok: false;
      readonly reason: 'AccountNotSearchable' | 'TrailUnavailable';
      readonly detail: string;
    };

/** Runs lookups against CloudTrail (LookupEvents in AWS and in the local stack). */
export interface TrailSource {
  /** Where it searches, said in the answer: e.g. management events of the last 90 days. */
  readonly description: string;
  search(lookup: TrailLookup): Promise<TrailSearch>;
}

/** One call made with the credentials: who, when, what, on which resource, from where, result. */
export interface TrailEntry {
  readonly eventId: string;
  readonly time: string;
  readonly who: string | undefined;
  readonly sourceIdentity: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly action: string;
  readonly resources: readonly string[];
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly result: 'allowed' | 'denied';
  readonly errorCode: string | undefined;
}

/** CloudTrail records these on calls a policy refused. */
const DENIED_CODES = /AccessDenied|Unauthorized|Forbidden/i;
/** Calls can go on until the session expires; CloudTrail delivers within minutes of a call. */
const WINDOW_SLACK_MS = 15 * 60 * 1000;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

function resourcesOf(record: Readonly<Record<string, unknown>>): string[] {
  const resources = record['resources'];
  if (!Array.isArray(resources)) return [];
  return resources
    .map((r) => text((r as Record<string, unknown>)?.['ARN']))
    .filter((arn): arn is string => arn !== undefined);
}

/** A CloudTrail record summarised; fields it lacks stay undefined. */
export function summariseTrailRecord(record: Readonly<Record<string, unknown>>): TrailEntry {
  const identity = (record['userIdentity'] ?? {}) as Record<string, unknown>;
  const session = (identity['sessionContext'] ?? {}) as Record<string, unknown>;
  const errorCode = text(record['errorCode']);
  const source = text(record['eventSource'])?.replace(/\.amazonaws\.com$/, '') ?? 'unknown';
  return {
    eventId: text(record['eventID']) ?? '',
    time: text(record['eventTime']) ?? '',
    who: text(identity['arn']),
    sourceIdentity: text(session['sourceIdentity']),
    accessKeyId: text(identity['accessKeyId']),
    action: `${source}:${text(record['eventName']) ?? 'unknown'}`,
    resources: resourcesOf(record),
    sourceIp: text(record['sourceIPAddress']),
    userAgent: text(record['userAgent']),
    result: errorCode !== undefined && DENIED_CODES.test(errorCode) ? 'denied' : 'allowed',
    errorCode,
  };
}

/**
 * The lookup a grant needs: its key id in the role's account, from the grant until the session
 * expired (with slack for delivery), or undefined for an event that vended nothing.
 */
export function lookupForGrant(event: AuditEvent, now: Date): TrailLookup | undefined {
  if (event.result !== 'grant' || !event.accessKeyId || !event.roleArn) return undefined;
  const accountId = event.roleArn.split(':')[4];
  if (!accountId) return undefined;
  const startTime = new Date(Date.parse(event.at) - 60_000);
  const expires = Date.parse(event.at) + (event.durationSeconds ?? 43_200) * 1000;
  const endTime = new Date(Math.min(now.getTime(), expires + WINDOW_SLACK_MS));
  return { accountId, accessKeyId: event.accessKeyId, startTime, endTime };
}

/** Entries oldest first: the order in which the session acted. */
export function trailEntries(records: readonly Readonly<Record<string, unknown>>[]): TrailEntry[] {
  return records
    .map(summariseTrailRecord)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
