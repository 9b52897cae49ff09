/**
 * Drives the real AWS CLI and boto3 (Debian's `awscli` and `python3-boto3`, which CI installs)
 * with a clean environment: no AWS_* variable of the parent, config and credentials files in a
 * temp directory, no instance metadata — nothing can reach real AWS or read real credentials.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Debian's clients first, then node (for a credential_process written in JS). */
const PATH = ['/usr/bin', '/bin', dirname(process.execPath)].join(':');

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface ClientEnv {
  readonly dir: string;
  readonly configFile: string;
  readonly vars: Readonly<Record<string, string>>;
}

/** An environment whose AWS config file (with `profiles`, INI lines each) lives in `dir`. */
export function clientEnv(dir: string, config: string): ClientEnv {
  const configFile = join(dir, 'aws-config');
  const credentialsFile = join(dir, 'aws-credentials');
  writeFileSync(configFile, config);
  writeFileSync(credentialsFile, '');
  return {
    dir,
    configFile,
    vars: {
      PATH,
      HOME: dir,
      LANG: 'C.UTF-8',
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    },
  };
}

export function credentialVars(c: Credentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
    ...(c.sessionToken ? { AWS_SESSION_TOKEN: c.sessionToken } : {}),
  };
}

export interface CliOutcome {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function awsCli(
  env: ClientEnv,
  args: readonly string[],
  extra: Readonly<Record<string, string>> = {},
): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      [...args, '--output', 'json'],
      { env: { ...env.vars, ...extra }, cwd: env.dir, timeout: 60_000 },
      (err, stdout, stderr) => {
        const exitCode = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ exitCode, stdout, stderr });
      },
    );
  });
}

export type Boto3Outcome =
  | { readonly ok: true; readonly result: unknown }
  | {
      readonly ok: false;
      readonly code: string;
      readonly status: number;
      readonly message: string;
    };

export interface Boto3Request {
  readonly service: string;
  readonly endpoint: string;
  readonly region: string;
  readonly operation: string;
  readonly params?: Record<string, unknown>;
  readonly credentials?: Credentials;
  readonly profile?: string;
  readonly presign?: number;
  readonly httpMethod?: string;
}

export function boto3(env: ClientEnv, request: Boto3Request): Promise<Boto3Outcome> {
  const { credentials, ...rest } = request;
  const input = JSON.stringify({
    ...rest,
    ...(credentials
      ? {
          credentials: {
            aws_access_key_id: credentials.accessKeyId,
            aws_secret_access_key: credentials.secretAccessKey,
            ...(credentials.sessionToken ? { aws_session_token: credentials.sessionToken } : {}),
          },
        }
      : {}),
  });
  return new Promise((resolve, reject) => {
    const child = execFile(
      'python3',
      [join(HERE, 'boto3_call.py')],
      { env: env.vars, cwd: env.dir, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`boto3_call.py failed: ${stderr || err.message}`));
        else resolve(JSON.parse(stdout) as Boto3Outcome);
      },
    );
    child.stdin?.end(input);
  });
}

/** The credential_process script and its settings file; answers the config line that runs it. */
export function credentialProcess(
  dir: string,
  settings: {
    cognitoIdp: string;
    clientId: string;
    username: string;
    password: string;
    api: string;
    role: string;
  },
): string {
  const file = join(dir, 'vend-settings.json');
  writeFileSync(file, JSON.stringify(settings));
  return `credential_process = ${process.execPath} ${join(HERE, 'vend.mjs')} ${file}`;
}
