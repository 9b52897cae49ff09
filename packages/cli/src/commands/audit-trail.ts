/**
 * `tessera audit trail <eventId>` (GET /v1/audit/{eventId}/trail) and `tessera audit trail
 * --subject alice --since 7d` (GET /v1/audit/trail): what was done with what Tessera vended, as
 * CloudTrail recorded it — who, when, what, on which resource, from where, allowed or denied — and
 * which sources and accounts were (not) searched. Administrators.
 */
import type {
  EventTrailAnswer,
  GrantTrail,
  SubjectTrailQuery,
  TrailCoverage,
} from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { printJson, table, withSpinner } from '../output.js';
import { sinceToIso } from './audit.js';

export interface AuditTrailOptions extends GlobalOptions {
  readonly subject?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
}

/** At most this many grants a page (the route's bound). */
const PAGE = 20;

/** `--subject`: `<iss>|<sub>` as the audit log keys it, or else a username. */
export function subjectQuery(subject: string): Pick<SubjectTrailQuery, 'subject' | 'username'> {
  return subject.includes('|') ? { subject } : { username: subject };
}

export async function auditTrailCommand(
  options: AuditTrailOptions,
  eventId?: string,
): Promise<void> {
  if ((eventId === undefined) === (options.subject === undefined)) {
    throw new CliError('UsageError', 'give an audit event id, or --subject (not both)');
  }
  const ctx = openContext(options);
  const grants: EventTrailAnswer[] = [];
  let coverage: readonly TrailCoverage[] = [];
  let cursor: string | undefined;
  await withSpinner('searching CloudTrail', async () => {
    if (eventId !== undefined) {
      const answer = await ctx.api.eventTrail(eventId);
      grants.push(answer);
      coverage = answer.trail.coverage;
      return;
    }
    const limit = Number(options.limit ?? 10);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new CliError('UsageError', '--limit is a positive integer');
    }
    do {
      const page = await ctx.api.subjectTrail({
        ...subjectQuery(options.subject as string),
        ...(options.since ? { from: sinceToIso(options.since) } : {}),
        ...(options.until ? { to: sinceToIso(options.until) } : {}),
        limit: Math.min(PAGE, limit - grants.length),
        ...(cursor ? { cursor } : {}),
      });
      grants.push(...page.grants);
      coverage = page.coverage;
      cursor = page.cursor;
    } while (cursor && grants.length < limit);
  });
  if (options.json) {
    printJson(
      eventId !== undefined ? grants[0] : { grants, coverage, ...(cursor ? { cursor } : {}) },
    );
    return;
  }
  for (const grant of grants) process.stdout.write(await grantText(grant));
  if (grants.length === 0) process.stdout.write('no grant that vended credentials\n');
  process.stdout.write(coverageText(coverage));
  if (cursor) process.stdout.write('(more grants: raise --limit)\n');
}

async function grantText({ event, trail }: EventTrailAnswer): Promise<string> {
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const head =
    `${s(event['at'])}  ${s(event['username'] ?? event.subject)}  ${s(event['bindingId'])}  ` +
    `${event.result}  key ${s(event.accessKeyId)}  (event ${event.eventId})\n`;
  const rows = trail.entries.map((e) => [
    e.time,
    e.result === 'denied'
      ? `denied (${s(e.errorCode)})`
      : e.errorCode
        ? `allowed (${e.errorCode})`
        : 'allowed',
    e.action,
    e.resources.join('\n'),
    s(e.sourceIp),
    s(e.sourceIdentity ?? e.who),
  ]);
  const body =
    rows.length > 0
      ? `${await table(['time', 'result', 'what', 'resource', 'from', 'who'], rows)}\n`
      : `${trail.lookup ? '  no call found' : '  vended no credentials'}\n`;
  return `${head}${body}${searchedText(trail)}\n`;
}

function searchedText(trail: GrantTrail): string {
  const lines = trail.notSearched.map(
    (n) => `  not searched: account ${n.accountId} (${n.reason}: ${n.detail})\n`,
  );
  if (trail.truncated) lines.push('  more calls than one search reads: the list is cut\n');
  return lines.join('');
}

function coverageText(coverage: readonly TrailCoverage[]): string {
  return coverage
    .map((c) => `${c.searched ? 'searched' : 'not searched'}: ${c.events} events — ${c.detail}\n`)
    .join('');
}
