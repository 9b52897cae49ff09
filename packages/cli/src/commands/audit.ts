/** `tessera audit`: audit events (GET /v1/audit, administrators; `--me`: GET /v1/audit/me), newest first. */
import type { AuditEventSummary, AuditQuery } from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { printJson, table, withSpinner } from '../output.js';

export interface AuditOptions extends GlobalOptions {
  readonly subject?: string;
  readonly role?: string;
  readonly binding?: string;
  readonly result?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit?: string;
  readonly me?: boolean;
}

/** `--since 2h` / `30m` / `7d`, or an ISO date. */
export function sinceToIso(raw: string | undefined, now = Date.now()): string | undefined {
  if (!raw) return undefined;
  const rel = /^(\d+)([smhd])$/.exec(raw);
  if (rel) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[rel[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(rel[1]) * unit * 1000).toISOString();
  }
  if (Number.isNaN(Date.parse(raw)))
    throw new CliError('UsageError', `--since: "${raw}" is neither 30m/2h/7d nor a date`);
  return new Date(raw).toISOString();
}

export async function auditCommand(options: AuditOptions): Promise<void> {
  const ctx = openContext(options);
  const limit = Math.min(Number(options.limit ?? 50), 1000);
  if (options.result && !['grant', 'deny', 'error'].includes(options.result)) {
    throw new CliError('UsageError', '--result is grant, deny or error');
  }
  const query: AuditQuery = {
    ...(options.subject ? { subject: options.subject } : {}),
    ...(options.role ? { roleArn: options.role } : {}),
    ...(options.binding ? { binding: options.binding } : {}),
    ...(options.result ? { result: options.result as 'grant' | 'deny' | 'error' } : {}),
    ...(options.since ? { from: sinceToIso(options.since)! } : {}),
    ...(options.until ? { to: sinceToIso(options.until)! } : {}),
  };
  const events: AuditEventSummary[] = [];
  let cursor: string | undefined;
  await withSpinner('audit events', async () => {
    do {
      const pageSize = Math.min(200, limit - events.length);
      const page = options.me
        ? await ctx.api.auditMe({ limit: pageSize, ...(cursor ? { cursor } : {}) })
        : await ctx.api.audit({ ...query, limit: pageSize, ...(cursor ? { cursor } : {}) });
      events.push(...page.events);
      cursor = page.cursor;
    } while (cursor && events.length < limit);
  });
  if (options.json) {
    printJson({ events, ...(cursor ? { cursor } : {}) });
    return;
  }
  const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const rows = events.map((e) => [
    s(e.at ?? e.time),
    s(e.result),
    s(e.username ?? e.subject),
    s(e.bindingId),
    s(e.reason ?? e.code),
    s(e.accessKeyId),
  ]);
  process.stdout.write(
    `${await table(['time', 'result', 'who', 'binding', 'reason', 'access key'], rows)}\n`,
  );
  if (cursor) process.stdout.write(`(more: raise --limit)\n`);
}
