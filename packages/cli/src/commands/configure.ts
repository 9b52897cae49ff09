/**
 * `tessera configure`: one `[profile NAME]` per role (or `--role R --profile NAME`) in the AWS
 * config file, with `credential_process = tessera credentials --role R`. Idempotent: a profile
 * that already says so is left alone; other profiles and other keys are never touched.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { info, printJson, withSpinner } from '../output.js';

export interface ConfigureOptions extends GlobalOptions {
  readonly role?: string;
  /** The AWS profile's name (with --role). */
  readonly awsProfile?: string;
  readonly duration?: string;
  /** How the AWS CLI runs tessera (default `tessera`). */
  readonly command?: string;
  readonly dryRun?: boolean;
}

export function awsConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_CONFIG_FILE ?? join(homedir(), '.aws', 'config');
}

const PROFILE_NAME = /^[A-Za-z0-9_.+@-]{1,64}$/;

/** Sets `values` in the `[profile name]` section (appended when missing); other lines unchanged. */
export function upsertProfile(text: string, name: string, values: Record<string, string>): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const header = (l: string) => /^\s*\[([^\]]+)\]\s*$/.exec(l)?.[1]?.trim();
  const start = lines.findIndex(
    (l) => header(l) === `profile ${name}` || (name === 'default' && header(l) === 'default'),
  );
  if (start === -1) {
    const block = [`[profile ${name}]`, ...Object.entries(values).map(([k, v]) => `${k} = ${v}`)];
    const sep = lines.length > 0 && lines[lines.length - 1]!.trim() !== '' ? [''] : [];
    return `${[...lines, ...sep, ...block].join('\n')}\n`;
  }
  let end = lines.findIndex((l, i) => i > start && header(l) !== undefined);
  if (end === -1) end = lines.length;
  const section = lines.slice(start + 1, end);
  const remaining = new Map(Object.entries(values));
  const updated = section.map((l) => {
    const key = /^\s*([A-Za-z0-9_]+)\s*=/.exec(l)?.[1];
    if (key && remaining.has(key)) {
      const v = remaining.get(key)!;
      remaining.delete(key);
      return `${key} = ${v}`;
    }
    return l;
  });
  let insertAt = updated.length;
  while (insertAt > 0 && updated[insertAt - 1]!.trim() === '') insertAt--;
  updated.splice(insertAt, 0, ...[...remaining].map(([k, v]) => `${k} = ${v}`));
  return `${[...lines.slice(0, start + 1), ...updated, ...lines.slice(end)].join('\n')}\n`;
}

export async function configureCommand(options: ConfigureOptions): Promise<void> {
  const ctx = openContext(options);
  if (options.awsProfile && !options.role)
    throw new CliError('UsageError', '--profile needs --role');
  const roles = options.role
    ? [options.role]
    : (await withSpinner('roles', () => ctx.api.roles())).accounts.flatMap((a) =>
        a.roles.map((r) => r.bindingId),
      );
  const command = options.command ?? 'tessera';
  const profileFlag = ctx.target.profile === 'default' ? '' : ` --profile ${ctx.target.profile}`;
  const path = awsConfigPath();
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const before = text;
  const written: { profile: string; role: string }[] = [];
  for (const role of roles) {
    const name = options.awsProfile ?? role;
    if (!PROFILE_NAME.test(name))
      throw new CliError('UsageError', `"${name}" is not a usable AWS profile name`);
    const duration = options.duration ? ` --duration ${Number(options.duration)}` : '';
    text = upsertProfile(text, name, {
      credential_process: `${command} credentials --role ${role}${duration}${profileFlag}`,
      region: ctx.target.region,
    });
    written.push({ profile: name, role });
  }
  const changed = text !== before;
  if (changed && !options.dryRun) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.tessera-${process.pid}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, path);
  }
  if (options.json) {
    printJson({ path, changed, dryRun: Boolean(options.dryRun), profiles: written });
    return;
  }
  for (const w of written) process.stdout.write(`[profile ${w.profile}]  ->  role ${w.role}\n`);
  const stsHint = ctx.target.localSts ? ` --endpoint-url ${ctx.target.localSts}` : '';
  info(
    changed
      ? `${options.dryRun ? 'Would write' : 'Wrote'} ${path}. Try: aws sts get-caller-identity --profile ${written[0]?.profile ?? 'ROLE'}${stsHint}`
      : `${path} already up to date.`,
  );
}
