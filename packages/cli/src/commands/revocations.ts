/**
 * `tessera revocations add|list|lift` (administrators): the kill switch. `add` refuses new vends
 * for a subject and denies the sessions it already holds (Tessera's managed inline policy on every
 * target role); `lift` allows new vends again (earlier sessions stay denied until they expire).
 */
import type { Revocation, RevocationWriteAnswer } from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { printJson, table, withSpinner } from '../output.js';

export interface RevokeOptions extends GlobalOptions {
  readonly username?: string;
  readonly subject?: string;
  readonly reason?: string;
  readonly until?: string;
}

function report(answer: RevocationWriteAnswer, verb: string): void {
  const r = answer.revocation;
  const who = r.username ?? r.subject ?? '?';
  const lines = [
    `${verb} ${who} (revocation ${r.id}, ${r.state})`,
    `  every warm function sees it within ${answer.propagation.maxDelaySeconds} s`,
  ];
  for (const role of answer.roles) {
    const how = role.result === 'failed' ? `not updated (${role.fault})` : role.result;
    lines.push(`  ${answer.policyName} on ${role.roleArn}: ${how}`);
  }
  if (answer.accountsNotUpdated.length > 0) {
    lines.push(`  accounts not updated: ${answer.accountsNotUpdated.join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function addCommand(options: RevokeOptions): Promise<number> {
  if (!options.username && !options.subject) {
    throw new CliError('UsageError', 'name --username or --subject (the token sub)');
  }
  if (!options.reason) throw new CliError('UsageError', '--reason is required');
  if (options.until !== undefined && Number.isNaN(Date.parse(options.until))) {
    throw new CliError('UsageError', `--until: "${options.until}" is not a date`);
  }
  const ctx = openContext(options);
  const answer = await withSpinner('revoking', () =>
    ctx.api.revoke({
      reason: options.reason!,
      ...(options.username ? { username: options.username } : {}),
      ...(options.subject ? { subject: options.subject } : {}),
      ...(options.until ? { until: new Date(options.until).toISOString() } : {}),
    }),
  );
  if (options.json) printJson(answer);
  else report(answer, 'revoked');
  // Some role could not carry the deny: say so in the exit code too.
  return answer.accountsNotUpdated.length > 0 ? 1 : 0;
}

export async function listCommand(options: GlobalOptions): Promise<void> {
  const ctx = openContext(options);
  const { revocations } = await withSpinner('revocations', () => ctx.api.listRevocations());
  if (options.json) {
    printJson(revocations);
    return;
  }
  const rows = revocations.map((r: Revocation) => [
    r.id,
    r.username ?? '',
    r.subject ?? '',
    r.state,
    r.revokedAt,
    r.until ?? r.liftedAt ?? '',
    r.reason,
  ]);
  process.stdout.write(
    `${await table(['id', 'username', 'subject', 'state', 'revoked', 'until/lifted', 'reason'], rows)}\n`,
  );
}

export async function liftCommand(id: string, options: GlobalOptions): Promise<void> {
  const ctx = openContext(options);
  const answer = await withSpinner('lifting', () => ctx.api.liftRevocation(id));
  if (options.json) printJson(answer);
  else report(answer, 'lifted');
}
