/**
 * `tessera simulate`: a dry run of a vend (POST /v1/simulate), explained in plain words: allowed
 * or not, for how long and what clamped it, the scope; on a deny, which condition failed, by key
 * and operator. `--as CLAIMS.json` (administrators) simulates someone else; `--check ACTION
 * RESOURCE` asks whether the session could do it.
 */
import { readFileSync } from 'node:fs';
import type { SimulateAnswer, SimulationReason } from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatDuration, printJson, withSpinner } from '../output.js';

export interface SimulateOptions extends GlobalOptions {
  readonly role: string;
  readonly duration?: string;
  readonly as?: string;
  readonly check?: readonly string[];
}

function checks(raw: readonly string[] | undefined) {
  if (!raw) return undefined;
  if (raw.length % 2 !== 0)
    throw new CliError('UsageError', '--check takes pairs: ACTION RESOURCE');
  const out: { action: string; resource: string }[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ action: raw[i]!, resource: raw[i + 1]! });
  return out;
}

function claimsFrom(path: string | undefined): Record<string, unknown> | undefined {
  if (!path) return undefined;
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      throw new Error('not a JSON object');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new CliError('FileUnreadable', `--as ${path}: ${(err as Error).message}`);
  }
}

const CLAMPS: Record<string, string> = {
  none: 'as requested',
  'binding-max': "clamped by the binding's maximum",
  'role-max': "clamped by the role's MaxSessionDuration",
  'role-chaining': 'clamped to 1 h by role chaining',
};

/** One reason in words. */
export function describeReason(r: SimulationReason): string {
  const where = [
    r.bindingId ? `binding ${r.bindingId}` : '',
    r.policy ? `${r.policy} policy` : '',
    r.statement !== undefined ? `statement ${r.statement}${r.sid ? ` (${r.sid})` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const what =
    r.code === 'ConditionNotMet' && r.key
      ? `condition ${r.operator ?? ''} on ${r.key} is not met`.replace('  ', ' ')
      : r.code === 'ExplicitDeny'
        ? 'an explicit Deny applies'
        : r.code === 'TrustAllowed'
          ? 'the trust policy allows you'
          : r.code;
  return `${what}${where ? ` [${where}]` : ''}${r.detail ? `: ${r.detail}` : ''}`;
}

export function explain(answer: SimulateAnswer, role: string): string {
  const lines: string[] = [];
  if (answer.decision === 'allow') {
    lines.push(`ALLOWED: you may use ${role}${answer.roleArn ? ` (${answer.roleArn})` : ''}.`);
    if (answer.durationSeconds !== undefined) {
      lines.push(
        `  for ${formatDuration(answer.durationSeconds)}, ${CLAMPS[answer.clampedBy ?? 'none'] ?? answer.clampedBy}`,
      );
    }
    if (answer.sourceIdentity) lines.push(`  as SourceIdentity ${answer.sourceIdentity}`);
    if (answer.tags?.length)
      lines.push(`  session tags ${answer.tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}`);
    lines.push(
      `  session policy: ${answer.sessionPolicy ? JSON.stringify(answer.sessionPolicy) : "none (the role's own permissions)"}`,
    );
  } else {
    lines.push(`DENIED: you may not use ${role}.`);
  }
  for (const r of answer.reasons) lines.push(`  - ${describeReason(r)}`);
  for (const c of answer.checks ?? []) {
    lines.push(
      `${c.decision === 'allow' ? 'YES' : c.decision === 'deny' ? 'NO ' : '?  '} ${c.action} on ${c.resource}`,
    );
    for (const r of c.reasons) lines.push(`    - ${describeReason(r)}`);
  }
  return lines.join('\n');
}

export async function simulateCommand(options: SimulateOptions): Promise<void> {
  const ctx = openContext(options);
  const claims = claimsFrom(options.as);
  const check = checks(options.check);
  const answer = await withSpinner('simulating', () =>
    ctx.api.simulate({
      role: options.role,
      ...(options.duration ? { durationSeconds: Number(options.duration) } : {}),
      ...(claims ? { claims } : {}),
      ...(check ? { check } : {}),
    }),
  );
  if (options.json) printJson(answer);
  else process.stdout.write(`${explain(answer, options.role)}\n`);
}
