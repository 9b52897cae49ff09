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

/** Why an account was not searched. */
export type NotSearchedReason = 'AccountNotSearchable' | 'TrailUnavailable';

/** What a lookup found (`truncated`: more pages than the source reads), or why it could not search. */
export type TrailSearch =
  | {
      readonly ok: true;
      readonly records: readonly Readonly<Record<string, unknown>>[];
      readonly truncated: boolean;
    }
  | { readonly ok: false; readonly reason: NotSearchedReason; readonly detail: string };

/**
 * One kind of CloudTrail event and whether a source's search covers it: in AWS, LookupEvents
 * answers management events of the last 90 days; S3 object calls are data events, recorded only by
 * a trail with data events (or CloudTrail Lake), which LookupEvents does not read.
 */
export interface TrailCoverage {
  readonly events: 'management' | 'data';
  readonly searched: boolean;
  /** How (searched) or where else they can be found (not searched), in words. */
  readonly detail: string;
}

/** Runs lookups against CloudTrail (LookupEvents in AWS and in the local stack). */
export interface TrailSource {
  /** What its search covers and what it does not, said in every answer. */
  readonly coverage: readonly TrailCoverage[];
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

/**
 * Entries oldest first: the order in which the session acted. `records` come as LookupEvents
 * answers them, newest first; CloudTrail's times are in seconds, so calls within one second keep
 * the order CloudTrail gave them (reversed), never an arbitrary one.
 */
export function trailEntries(records: readonly Readonly<Record<string, unknown>>[]): TrailEntry[] {
  return records
    .map(summariseTrailRecord)
    .reverse()
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

/** The trail of one audit event: where it was searched, what was found, what could not be searched. */
export interface GrantTrail {
  /** The account, key and window searched; null for an event that vended no credentials. */
  readonly lookup: {
    readonly accountId: string;
    readonly accessKeyId: string;
    readonly from: string;
    readonly to: string;
  } | null;
  readonly coverage: readonly TrailCoverage[];
  readonly searchedAccounts: readonly string[];
  readonly notSearched: readonly {
    readonly accountId: string;
    readonly reason: NotSearchedReason;
    readonly detail: string;
  }[];
  /** Oldest first. */
  readonly entries: readonly TrailEntry[];
  /** The source stopped before the last page: more calls were made than are listed. */
  readonly truncated: boolean;
}

/**
 * Follows one audit event into CloudTrail through the source. A source that throws is named as
 * not searched (`TrailUnavailable`), never an empty trail.
 */
export async function followGrant(
  event: AuditEvent,
  source: TrailSource,
  now: Date,
): Promise<GrantTrail> {
  const lookup = lookupForGrant(event, now);
  const base = { coverage: source.coverage, entries: [], truncated: false };
  if (!lookup) return { ...base, lookup: null, searchedAccounts: [], notSearched: [] };
  const searched = {
    accountId: lookup.accountId,
    accessKeyId: lookup.accessKeyId,
    from: lookup.startTime.toISOString(),
    to: lookup.endTime.toISOString(),
  };
  let found: TrailSearch;
  try {
    found = await source.search(lookup);
  } catch (err) {
    found = {
      ok: false,
      reason: 'TrailUnavailable',
      detail: `the search failed: ${(err as Error)?.name ?? 'error'}`,
    };
  }
  if (!found.ok) {
    const { reason, detail } = found;
    const notSearched = [{ accountId: lookup.accountId, reason, detail }];
    return { ...base, lookup: searched, searchedAccounts: [], notSearched };
  }
  return {
    ...base,
    lookup: searched,
    searchedAccounts: [lookup.accountId],
    notSearched: [],
    entries: trailEntries(found.records),
    truncated: found.truncated,
  };
}
