/**
 * Real AWS clients against the local S3: the AWS CLI and boto3 (Debian's packages) spawned with a
 * clean environment (their own config files in a temp dir, no metadata service, only the
 * credentials given), and vended credentials fetched through the stack's HTTP API as the README
 * shows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../../src/index.js';
import { signIn } from '../helpers.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface Vended {
  readonly credentials: Credentials;
  /** The user's `sub` claim: the prefix job 1 allows. */
  readonly sub: string;
}

/** Signs `username` in through the issuer and vends `role` through the HTTP API. */
export async function vend(
  stack: LocalStack,
  username: string,
  role: string,
  client = 'app',
): Promise<Vended> {
  const user = stack.info.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  const { body } = await signIn(
    stack.info.cognitoIdp,
    stack.info.issuer.clients[client]!,
    username,
    user.password,
  );
  const token = body.AuthenticationResult.IdToken;
  const res = await fetch(`${stack.info.api}/v1/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  if (res.status !== 200)
    throw new Error(`vend ${role} for ${username}: ${res.status} ${await res.text()}`);
  const json = (await res.json()) as { credentials: Credentials };
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as {
    sub: string;
  };
  const { accessKeyId, secretAccessKey, sessionToken } = json.credentials;
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken: sessionToken! },
    sub: claims.sub,
  };
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A clean environment for the CLI and boto3: nothing from the developer's own AWS setup. */
export function awsEnv(creds: Credentials, region: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-aws-'));
  const config = join(dir, 'config');
  writeFileSync(
    config,
    `[default]\nregion = ${region}\ns3 =\n  addressing_style = path\n  signature_version = s3v4\n`,
  );
  writeFileSync(join(dir, 'credentials'), '');
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
  };
}

export function run(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  input?: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/**
 * Runs a boto3 snippet: `s3` is a client for the local S3 (path-style), `out(x)` prints JSON.
 * Errors are printed as `{"error": <S3 code>}` instead of raising.
 */
export function boto3(endpoint: string, creds: Credentials, region: string, body: string) {
  const script = `
import json, sys, boto3, botocore
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url=${JSON.stringify(endpoint)}, config=Config(s3={'addressing_style': 'path'}, signature_version='s3v4', retries={'max_attempts': 1}))
def out(x): print(json.dumps(x, default=str))
def attempt(f):
    try:
        return f()
    except botocore.exceptions.ClientError as e:
        return {'error': e.response['Error']['Code']}
${body}
`;
  return run('python3', ['-c', script], awsEnv(creds, region));
}
