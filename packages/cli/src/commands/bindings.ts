/**
 * `tessera bindings validate|diff|apply|list|get`. `apply` writes only what changed, each write
 * conditional (If-Match: the version the file names, else the version just read), and stops at
 * the first refusal (a 412 when someone else wrote first).
 */
import type { BindingImpact, StoredBinding, SubjectImpact, TesseraApi } from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError, codeOf } from '../errors.js';
import { info, printJson, table, withSpinner } from '../output.js';
import { resolveTarget } from '../settings.js';
import {
  type FileProblem,
  loadBindingFiles,
  managedFields,
  type PlanEntry,
  plan,
} from './bindings-files.js';

export interface BindingsOptions extends GlobalOptions {
  readonly dryRun?: boolean;
  readonly exitCode?: boolean;
  readonly format?: string;
  /** `diff`: ask the server who would gain and lose access (default true; `--no-impact`). */
  readonly impact?: boolean;
}

function defaultIssuer(options: GlobalOptions): string | undefined {
  try {
    return resolveTarget(options).pool.issuer;
  } catch {
    return undefined; // offline, no target: files must name their issuer
  }
}

function reportProblems(problems: readonly FileProblem[]): never {
  for (const p of problems) {
    process.stderr.write(`${p.path}: ${p.field || '(document)'}: ${p.code}: ${p.message}\n`);
  }
  throw new CliError('BindingsInvalid', `${problems.length} problem(s) in the binding files`);
}

export async function validateCommand(dir: string, options: BindingsOptions): Promise<void> {
  const { files, problems } = await loadBindingFiles(dir, defaultIssuer(options));
  if (options.json)
    printJson({ valid: problems.length === 0, files: files.map((f) => f.path), problems });
  if (problems.length > 0) {
    if (options.json) throw new CliError('BindingsInvalid', `${problems.length} problem(s)`);
    reportProblems(problems);
  }
  if (!options.json) process.stdout.write(`${files.length} binding file(s) valid\n`);
}

async function currentPlan(dir: string, options: BindingsOptions) {
  const ctx = openContext(options);
  const { files, problems } = await loadBindingFiles(dir, ctx.target.pool.issuer);
  if (problems.length > 0) reportProblems(problems);
  const stored = await withSpinner('stored bindings', () => ctx.api.listBindings());
  return { ctx, entries: plan(files, stored.bindings) };
}

const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

function describe(entries: readonly PlanEntry[]): string {
  const lines: string[] = [];
  for (const e of entries) {
    if (e.kind === 'create') lines.push(`+ ${e.file.id} (new)`);
    if (e.kind === 'update') {
      lines.push(`~ ${e.file.id} (version ${e.stored.version})`);
      for (const c of e.changes) lines.push(`    ${c.path}: ${show(c.before)} -> ${show(c.after)}`);
    }
  }
  return lines.join('\n');
}

/**
 * Who would gain and lose access if the changed files were applied (`POST /v1/admin/what-if`,
 * nothing written), by binding id; undefined (with a warning) when the server cannot say.
 */
async function impactOf(
  api: TesseraApi,
  changed: readonly PlanEntry[],
): Promise<Map<string, BindingImpact> | undefined> {
  if (changed.length === 0) return new Map();
  const put = changed.map((e) => ({ id: e.file.id, ...e.file.document }));
  try {
    const answer = await withSpinner('impact', () => api.whatIf({ put }));
    if (!answer.complete) info(`impact: only the first ${answer.subjectsEvaluated} subjects`);
    return new Map(answer.bindings.map((b) => [b.bindingId, b]));
  } catch (err) {
    info(`impact unavailable: ${codeOf(err)}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

const who = (s: SubjectImpact) => s.username ?? s.sub;

function why(s: SubjectImpact): string {
  return s.reasons
    .map((r) => [r.code, r.key, r.operator].filter((v) => v !== undefined).join(' '))
    .join('; ');
}

function describeImpact(impact: BindingImpact | undefined): string[] {
  if (impact === undefined) return [];
  const lines = [
    `    impact: ${impact.gainCount} gain, ${impact.loseCount} lose, ${impact.keeps} keep`,
  ];
  for (const s of impact.gains) lines.push(`      + ${who(s)} gains: ${why(s)}`);
  for (const s of impact.loses) lines.push(`      - ${who(s)} loses: ${why(s)}`);
  const unlisted = impact.gainCount + impact.loseCount - impact.gains.length - impact.loses.length;
  if (unlisted > 0) lines.push(`      (${unlisted} more: --json lists the first 1,000 of each)`);
  return lines;
}

export async function diffCommand(dir: string, options: BindingsOptions): Promise<number> {
  const { ctx, entries } = await currentPlan(dir, options);
  const changed = entries.filter((e) => e.kind !== 'unchanged');
  const impacts = options.impact === false ? undefined : await impactOf(ctx.api, changed);
  if (options.json) {
    printJson(
      changed.map((e) => ({
        id: e.file.id,
        kind: e.kind,
        ...(e.kind === 'update' ? { changes: e.changes } : {}),
        ...(impacts?.has(e.file.id) ? { impact: impacts.get(e.file.id) } : {}),
      })),
    );
  } else if (changed.length === 0) {
    process.stdout.write('No changes: the stored bindings match the files.\n');
  } else {
    const lines = changed.flatMap((e) => [
      describe([e]),
      ...describeImpact(impacts?.get(e.file.id)),
    ]);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return options.exitCode && changed.length > 0 ? 1 : 0;
}

export async function applyCommand(dir: string, options: BindingsOptions): Promise<void> {
  const { ctx, entries } = await currentPlan(dir, options);
  const results: { id: string; action: 'created' | 'updated' | 'unchanged'; version?: number }[] =
    [];
  for (const e of entries) {
    if (e.kind === 'unchanged') {
      results.push({ id: e.file.id, action: 'unchanged', version: e.stored.version });
      continue;
    }
    if (options.dryRun) continue;
    // The base version: what the file says it was written from, else what was just read.
    const ifMatch = e.kind === 'create' ? undefined : (e.file.baseVersion ?? e.stored.version);
    const written = await withSpinner(`writing ${e.file.id}`, () =>
      ctx.api.putBinding(e.file.id, e.file.document, ifMatch),
    );
    results.push({
      id: e.file.id,
      action: written.created ? 'created' : 'updated',
      version: written.binding.version,
    });
    for (const w of written.warnings)
      info(`warning: ${e.file.id}: ${w.field ?? w.path ?? ''}: ${w.code}: ${w.message}`);
  }
  if (options.json) {
    printJson({
      dryRun: Boolean(options.dryRun),
      results,
      ...(options.dryRun ? { plan: entries.map((e) => ({ id: e.file.id, kind: e.kind })) } : {}),
    });
    return;
  }
  if (options.dryRun) {
    const d = describe(entries);
    process.stdout.write(d ? `${d}\n(dry run: nothing written)\n` : 'No changes.\n');
    return;
  }
  const count = (a: string) => results.filter((r) => r.action === a).length;
  for (const r of results)
    if (r.action !== 'unchanged')
      process.stdout.write(`${r.action} ${r.id} (version ${r.version})\n`);
  process.stdout.write(
    `${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged\n`,
  );
}

export async function listCommand(options: BindingsOptions): Promise<void> {
  const ctx = openContext(options);
  const { bindings } = await withSpinner('bindings', () => ctx.api.listBindings());
  if (options.json) {
    printJson(bindings);
    return;
  }
  const rows = bindings.map((b: StoredBinding) => [
    b.id,
    b.roleArn,
    String(b.version),
    String(b.enabled ?? true),
    String(b.updatedAt ?? ''),
  ]);
  process.stdout.write(`${await table(['id', 'role', 'version', 'enabled', 'updated'], rows)}\n`);
}

/** Prints a stored binding as a file `apply` takes back (with its `version`, for stale checks). */
export async function getCommand(id: string, options: BindingsOptions): Promise<void> {
  const ctx = openContext(options);
  const { binding, version } = await withSpinner(id, () => ctx.api.getBinding(id));
  const doc = { id: binding.id, version, ...managedFields(binding) };
  if (options.json || options.format === 'json') {
    printJson(doc);
    return;
  }
  const { stringify } = await import('yaml');
  process.stdout.write(stringify(doc));
}
