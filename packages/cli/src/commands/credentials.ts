/**
 * `tessera credentials` (the AWS CLI's credential_process), `env` and `exec`: credentials for a
 * role, served from the cache while fresh. This path runs before every `aws` command, so it loads
 * only what a cache hit needs; the spinner and colours load only on a vend.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';
import { type AwsCredentials, credentialCacheKey, type PolicyDocument } from '@tessera/client';
import { type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';

export interface RoleOptions extends GlobalOptions {
  readonly role: string;
  readonly duration?: string;
  readonly policy?: string;
}

function readPolicy(path: string | undefined): PolicyDocument | undefined {
  if (!path) return undefined;
  try {
    const doc: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new Error('not a JSON object');
    return doc as PolicyDocument;
  } catch (err) {
    throw new CliError('FileUnreadable', `--policy ${path}: ${(err as Error).message}`);
  }
}

function parseDuration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new CliError('UsageError', `--duration must be a whole number of seconds, got "${raw}"`);
  }
  return n;
}

/** Credentials for the role: cached when fresh, else one vend (stored in the cache). */
export async function roleCredentials(
  options: RoleOptions,
): Promise<{ credentials: AwsCredentials; fromCache: boolean }> {
  const ctx = openContext(options);
  const durationSeconds = parseDuration(options.duration);
  const policy = readPolicy(options.policy);
  const identity = await ctx.session.identity();
  if (!identity) {
    await ctx.session.tokens(); // throws NotLoggedIn
  }
  const key = await credentialCacheKey(
    {
      pool: ctx.target.pool.issuer,
      user: identity?.subject ?? '',
      role: options.role,
      durationSeconds,
      policy,
    },
    (text) => createHash('sha256').update(text).digest('hex'),
  );
  return ctx.cache.get(key, async () => {
    const { withSpinner } = await import('../output.js');
    const answer = await withSpinner(`credentials for ${options.role}`, () =>
      ctx.api.credentials({
        role: options.role,
        ...(durationSeconds !== undefined ? { durationSeconds } : {}),
        ...(policy ? { policy } : {}),
      }),
    );
    return answer.credentials;
  });
}

export async function credentialsCommand(options: RoleOptions): Promise<void> {
  const { credentials } = await roleCredentials(options);
  // fs.writeSync, not process.stdout: the stdout stream costs more to load than this whole answer.
  writeSync(
    1,
    `${JSON.stringify({
      Version: 1,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: credentials.expiration,
    })}\n`,
  );
}

function awsEnv(credentials: AwsCredentials, region: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_CREDENTIAL_EXPIRATION: credentials.expiration,
    AWS_REGION: process.env.AWS_REGION ?? region,
  };
}

export async function envCommand(options: RoleOptions): Promise<void> {
  const { credentials } = await roleCredentials(options);
  const region = openContext(options).target.region;
  const vars = awsEnv(credentials, region);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(vars, null, 2)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(vars)) process.stdout.write(`export ${k}=${shellQuote(v)}\n`);
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Runs the command with the role's credentials in its environment; exits with its exit code. */
export async function execCommand(options: RoleOptions, argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command)
    throw new CliError('UsageError', 'exec needs a command: tessera exec --role R -- cmd args');
  const { credentials } = await roleCredentials(options);
  const region = openContext(options).target.region;
  const env: NodeJS.ProcessEnv = { ...process.env, ...awsEnv(credentials, region) };
  // The role's credentials must win: a profile would make the SDKs and the AWS CLI look elsewhere.
  delete env.AWS_PROFILE;
  delete env.AWS_DEFAULT_PROFILE;
  const { spawn } = await import('node:child_process');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('error', (err) =>
      reject(new CliError('CommandFailed', `cannot run ${command}: ${err.message}`)),
    );
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 + 15 : 1)));
  });
}
