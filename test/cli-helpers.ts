/**
 * Runs the real `tessera` bin (packages/cli, built) and the real AWS CLI / boto3 as child
 * processes, each with a clean environment in a temp directory: its own HOME, XDG dirs, AWS config
 * file, no instance metadata lookups, and PATH starting with a folder holding `tessera`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const TESSERA_BIN = join(REPO, 'packages/cli/bin/tessera.cjs');

/** The CLI runs as built JavaScript (as users run it): bring dist/ up to date (incremental). */
export function buildCli(): void {
  execFileSync(
    process.execPath,
    [join(REPO, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
}

/** Debian's AWS CLI and python3 (with python3-boto3) first, else whatever PATH has. */
export function tool(debianPath: string, name: string): string {
  return existsSync(debianPath) ? debianPath : name;
}

export interface CliEnv {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** A clean environment under `dir` for a stack whose state is in `tesseraHome`. */
export function cliEnv(dir: string, tesseraHome: string): CliEnv {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(dir, 'home'), { recursive: true });
  if (!existsSync(join(bin, 'tessera'))) symlinkSync(TESSERA_BIN, join(bin, 'tessera'));
  const nodeDir = join(process.execPath, '..');
  return {
    dir,
    env: {
      PATH: `${bin}:${nodeDir}:/usr/local/bin:/usr/bin:/bin`,
      HOME: join(dir, 'home'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      TESSERA_HOME: tesseraHome,
      AWS_CONFIG_FILE: join(dir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      NO_COLOR: '1',
      LANG: 'C.UTF-8',
    },
  };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  onStdout?: (chunk: string) => void,
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, cwd: env.HOME ?? REPO });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      onStdout?.(c);
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

export function tessera(
  cli: CliEnv,
  args: readonly string[],
  input?: string,
  onStdout?: (c: string) => void,
) {
  return run(process.execPath, [TESSERA_BIN, ...args], cli.env, input, onStdout);
}

/** A port that was free a moment ago (for a callback URL the test registers with the pool). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}
