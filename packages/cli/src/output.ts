/**
 * How the CLI speaks: results on stdout (human, or JSON with `--json`), everything else (progress,
 * spinners, errors) on stderr; colours only when the stream is a terminal (and NO_COLOR is unset).
 */
import { isatty } from 'node:tty';
import { codeOf, hintOf } from './errors.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function info(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * A spinner on stderr while `work` runs (only on a terminal). `isatty(2)`, not
 * `process.stderr.isTTY`: the stream costs a short-lived process a few milliseconds to create, and
 * `tessera credentials` (credential_process, stderr a pipe) never writes to it when all goes well.
 */
export async function withSpinner<T>(text: string, work: () => Promise<T>): Promise<T> {
  if (!isatty(2)) return work();
  const { createSpinner } = await import('nanospinner');
  const spinner = createSpinner(text, { stream: process.stderr }).start();
  try {
    const result = await work();
    spinner.clear();
    return result;
  } catch (err) {
    spinner.clear();
    throw err;
  }
}

export async function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): Promise<string> {
  const Table = (await import('cli-table3')).default;
  const t = new Table({
    head: [...head],
    style: { head: process.stdout.isTTY && !process.env.NO_COLOR ? ['cyan'] : [], border: [] },
  });
  for (const r of rows) t.push([...r]);
  return t.toString();
}

/** One clear line per error: `tessera: <code>: <message>` and a hint; JSON with `--json`. */
export function printError(err: unknown, json: boolean): void {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  const hint = hintOf(err);
  const e = err as { status?: number; field?: string; issues?: unknown[] };
  if (json) {
    process.stderr.write(
      `${JSON.stringify({ error: { code, message, ...(e.status ? { status: e.status } : {}), ...(e.field ? { field: e.field } : {}), ...(e.issues?.length ? { issues: e.issues } : {}), ...(hint ? { hint } : {}) } })}\n`,
    );
    return;
  }
  const field = e.field ? ` (at ${e.field})` : '';
  process.stderr.write(`tessera: ${code}: ${message}${field}\n`);
  for (const issue of (e.issues ?? []) as { field: string; code: string; message: string }[]) {
    process.stderr.write(`  ${issue.field || '(document)'}: ${issue.code}: ${issue.message}\n`);
  }
  if (hint) process.stderr.write(`  hint: ${hint}\n`);
}

export function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
