/**
 * The trail routes' pieces (served by the audit app): `GET /v1/audit/{eventId}/trail` — one audit
 * event, then what was done with the credentials it vended, as CloudTrail recorded it — and
 * `GET /v1/audit/trail` — every grant of a subject (or username) in a time range, each with its
 * trail, a bounded page at a time. The join and the summaries are the broker's (`followGrant`);
 * here: the query string checked, and the CloudTrail source built from the configuration.
 */
import {
  type AuditEvent,
  type AuditFilter,
  type AuditReader,
  bounded,
  followGrant,
  type GrantTrail,
  type TrailCoverage,
  type TrailSource,
} from '@tessera/broker';
import { createStsClient } from '@tessera/broker/aws';
import {
  assumedRoleCredentials,
  CloudTrailSource,
  LOOKUP_EVENTS_COVERAGE,
} from '@tessera/broker/aws-cloudtrail';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TesseraConfig, TrailConfig } from './config.js';
import { AuditEventNotFoundError, HttpInputError } from './errors.js';

/** Grants per page of the subject trail: each one is a LookupEvents search (2 calls a second). */
export const MAX_TRAIL_GRANTS = 20;
const DEFAULT_TRAIL_GRANTS = 10;
const EVENT_ID = /^[\w-]{1,128}$/;

const queryProblem = (name: string, message: string) =>
  new HttpInputError('InvalidRequest', message, name, { location: 'query' });

/** What the source covers, as configured: data events by LookupEvents locally, or where they are. */
export function trailCoverage(dataEvents: string): readonly TrailCoverage[] {
  const management = LOOKUP_EVENTS_COVERAGE.filter((c) => c.events === 'management');
  if (dataEvents === 'lookup') {
    return [
      ...management,
      {
        events: 'data',
        searched: true,
        detail: 'S3 object calls: this CloudTrail endpoint answers data events in LookupEvents',
      },
    ];
  }
  if (dataEvents === 'none') return LOOKUP_EVENTS_COVERAGE;
  return [
    ...management,
    {
      events: 'data',
      searched: false,
      detail: `S3 object calls are data events, recorded by the trail ${dataEvents} in its S3 log (or query them with CloudTrail Lake); LookupEvents does not return them`,
    },
  ];
}

/** The CloudTrail source of the configuration: listed accounts only, each as configured. */
export function configuredTrailSource(config: TesseraConfig): TrailSource {
  const trail: TrailConfig = config.trail ?? { accounts: {}, dataEvents: 'none' };
  const sts = createStsClient({
    region: config.region,
    ...(config.endpoints?.sts ? { endpoint: config.endpoints.sts } : {}),
    credentials: config.credentials,
  });
  return new CloudTrailSource({
    region: config.region,
    ...(config.endpoints?.cloudtrail ? { endpoint: config.endpoints.cloudtrail } : {}),
    coverage: trailCoverage(trail.dataEvents),
    credentialsFor: (accountId) => {
      const how = trail.accounts[accountId];
      if (how === undefined) return undefined;
      if (how === 'self') return config.credentials ?? null;
      return assumedRoleCredentials(sts, how);
    },
  });
}

/** The event's trail, or a 404 for an id the audit log does not hold. */
export async function eventTrail(
  event: APIGatewayProxyEventV2,
  deps: { reader: AuditReader; trail: TrailSource; now: Date },
): Promise<{ event: AuditEvent; trail: GrantTrail }> {
  const eventId = event.pathParameters?.['eventId'];
  if (eventId === undefined || !EVENT_ID.test(eventId)) {
    throw new HttpInputError('InvalidRequest', 'eventId must be an audit event id', 'eventId', {
      location: 'path',
    });
  }
  const found = await deps.reader.byEventId(eventId);
  if (!found) throw new AuditEventNotFoundError();
  return { event: found, trail: await followGrant(found, deps.trail, deps.now) };
}

/** The subject trail's query: `subject` or `username` (one of them), and the audit query's others. */
export function subjectTrailQuery(
  event: APIGatewayProxyEventV2,
  base: { filter: AuditFilter; limit: number | undefined },
): { filter: AuditFilter; limit: number } {
  const query = event.queryStringParameters ?? {};
  const username = query['username'];
  const subject = base.filter.subject;
  if (subject === undefined && username === undefined) {
    throw queryProblem('subject', 'subject (<iss>|<sub>) or username is required');
  }
  if (subject !== undefined && username !== undefined) {
    throw queryProblem('username', 'give subject or username, not both');
  }
  if (username !== undefined && !/^.{1,256}$/su.test(username)) {
    throw queryProblem('username', 'username must be 1 to 256 characters');
  }
  const limit = base.limit ?? DEFAULT_TRAIL_GRANTS;
  if (limit > MAX_TRAIL_GRANTS) {
    throw queryProblem('limit', `limit must be an integer 1..${MAX_TRAIL_GRANTS}`);
  }
  const filter: AuditFilter = {
    ...base.filter,
    // Stored bounded (storableEvent): asked the same way, so a long name still matches.
    ...(username === undefined ? {} : { username: bounded(username, 256) }),
    result: 'grant',
    vendedOnly: true,
  };
  return { filter, limit };
}

/** Each grant of a page with its trail, one search after the other (LookupEvents' rate). */
export async function grantsWithTrails(
  events: readonly AuditEvent[],
  trail: TrailSource,
  now: Date,
): Promise<{ event: AuditEvent; trail: GrantTrail }[]> {
  const out: { event: AuditEvent; trail: GrantTrail }[] = [];
  for (const event of events) out.push({ event, trail: await followGrant(event, trail, now) });
  return out;
}
