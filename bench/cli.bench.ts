/**
 * `npm run bench:cli`: how long the AWS CLI waits for `tessera credentials` (credential_process,
 * run before every `aws` command), against the local stack on loopback, in one run:
 * - cached: a valid credential in the cache, `node packages/cli/bin/tessera.cjs credentials --role
 *   eng-readonly` beside `node -e 0`, each spawned 30 times interleaved one for one (median);
 *   target cached ≤ 1.5 × node -e 0;
 * - cold: the credential cache emptied before each run (the token is valid: no sign-in), 30 runs,
 *   beside the vend's own latency (POST /v1/credentials with fetch from this process, 30 calls,
 *   median); target cold ≤ vend + 50 ms. Also reported: cold minus `node -e 0`, the part of a
 *   cold run that is not Node's own start.
 * A benchmark, not a test: exits 0 whatever the figures (1 only when it could not run).
 * Results: bench/results/cli.json, with the machine's load average.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { passwordLogin } from '@tessera/client';
import { startStack } from '@tessera/local';
import { distribution } from './lib/percentiles.js';
import { environment, writeResults } from './lib/results.js';

const RUNS = 30;
const ROLE = 'eng-readonly';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'packages/cli/bin/tessera.cjs');

/** Spawns and times a child (async: the stack serving it runs in this process). */
function runChild(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<{ ms: number; code: number | null; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, stderr }),
    );
    child.stdin.end(input);
  });
}

async function timeSpawn(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const res = await runChild(args, env);
  if (res.code !== 0) throw new Error(`${args.join(' ')} exited ${res.code}: ${res.stderr}`);
  return res.ms;
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tessera-bench-cli-'));
  const stack = await startStack({ home: join(root, 'stack'), ports: 0 });
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      XDG_CONFIG_HOME: join(root, 'config'),
      XDG_CACHE_HOME: join(root, 'cache'),
      TESSERA_HOME: stack.home,
    };
    mkdirSync(env.HOME!, { recursive: true });
    const password = stack.info.users.find((u) => u.username === 'erin')!.password;
    const login = await runChild(
      [BIN, 'login', '--username', 'erin', '--password-stdin'],
      env,
      password,
    );
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    const credentials = [BIN, 'credentials', '--role', ROLE];
    await timeSpawn(credentials, env); // the first vend fills the cache

    const node: number[] = [];
    const cached: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      node.push(await timeSpawn(['-e', '0'], env));
      cached.push(await timeSpawn(credentials, env));
    }

    const cold: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      rmSync(join(root, 'cache', 'tessera', 'credentials'), { recursive: true, force: true });
      cold.push(await timeSpawn(credentials, env));
    }

    const tokens = await passwordLogin(
      {
        issuer: stack.info.issuer.url,
        region: stack.info.region,
        clientId: stack.info.issuer.clients.cli!,
        cognitoIdp: stack.info.cognitoIdp,
        tokenUse: 'id',
      },
      'erin',
      password,
    );
    const vend: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = process.hrtime.bigint();
      const res = await fetch(`${stack.info.api}/v1/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.idToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: ROLE }),
      });
      await res.json();
      if (res.status !== 200) throw new Error(`vend answered ${res.status}`);
      vend.push(Number(process.hrtime.bigint() - start) / 1e6);
    }

    const n = distribution(node);
    const c = distribution(cached);
    const k = distribution(cold);
    const v = distribution(vend);
    const round = (x: number) => Math.round(x * 10) / 10;
    const ratio = c.p50 / n.p50;
    const results = {
      environment: { ...environment(), loadavg: loadavg() },
      runs: RUNS,
      nodeEmptyMs: n,
      cachedMs: c,
      cachedOverNode: Math.round(ratio * 100) / 100,
      coldMs: k,
      vendMs: v,
      coldMinusVendMs: round(k.p50 - v.p50),
      coldMinusNodeMs: round(k.p50 - n.p50),
      targets: {
        cachedAtMost1_5xNode: ratio <= 1.5,
        coldAtMostVendPlus50Ms: k.p50 <= v.p50 + 50,
      },
    };
    await writeResults(join(REPO, 'bench/results/cli.json'), results);
    const line = (name: string, d: { p50: number; p99: number }) =>
      `${name.padEnd(34)} p50 ${round(d.p50)} ms, p99 ${round(d.p99)} ms`;
    console.log(line('node -e 0', n));
    console.log(line('tessera credentials (cached)', c));
    console.log(
      `  cached / node -e 0 = ${Math.round(ratio * 100) / 100} (target ≤ 1.5: ${ratio <= 1.5 ? 'pass' : 'FAIL'})`,
    );
    console.log(line('tessera credentials (cold)', k));
    console.log(line('vend (POST /v1/credentials)', v));
    console.log(
      `  cold - vend = ${round(k.p50 - v.p50)} ms (target ≤ 50: ${k.p50 <= v.p50 + 50 ? 'pass' : 'FAIL'}); cold - node -e 0 = ${round(k.p50 - n.p50)} ms`,
    );
    console.log(
      `load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}; results in bench/results/cli.json`,
    );
  } finally {
    await stack.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
