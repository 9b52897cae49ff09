/**
 * Rate limits through the local stack, configured as a deployment configures them
 * (TESSERA_RATE_LIMIT_PER_IP / _PER_SUBJECT, requests a minute, bursts of a quarter minute's
 * worth): over the limit a request answers 429 RateLimited with Retry-After, and is recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalStack, startStack } from '@tessera/local';
import { afterEach, describe, expect, it } from 'vitest';
import { signInIdToken } from '../support/local-stack.js';

let stack: LocalStack | undefined;
let home: string | undefined;

afterEach(async () => {
  await stack?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
  stack = undefined;
  home = undefined;
});

async function start(env: Record<string, string>): Promise<LocalStack> {
  home = mkdtempSync(join(tmpdir(), 'tessera-rate-'));
  stack = await startStack({ home, ports: 0, env: { ...env } });
  return stack;
}

const idToken = (s: LocalStack, username: string) => signInIdToken(s, username);

function vend(s: LocalStack, token: string, userAgent: string): Promise<Response> {
  return fetch(`${s.info.api}/v1/credentials`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'user-agent': userAgent,
    },
    body: JSON.stringify({ role: 'app-upload' }),
  });
}

async function eventsOf(s: LocalStack, userAgent: string): Promise<Record<string, unknown>[]> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: s.info.region,
      endpoint: s.info.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const page = await doc.send(new ScanCommand({ TableName: 'tessera-local-audit' }));
  return ((page.Items ?? []) as Record<string, unknown>[]).filter((e) => e.userAgent === userAgent);
}

describe('rate limits', () => {
  it('refuses a subject over its limit with 429 and Retry-After, records it, and leaves others alone', async () => {
    const s = await start({ TESSERA_RATE_LIMIT_PER_SUBJECT: '8' }); // burst 2
    const alice = await idToken(s, 'alice');
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await vend(s, alice, 'rate-subject'));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429]);
    const refused = answers[2]!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(await refused.json()).toMatchObject({ status: 429, code: 'RateLimited' });
    const events = await eventsOf(s, 'rate-subject');
    expect(events.map((e) => e.reason).sort()).toEqual(['Granted', 'Granted', 'RateLimited']);
    // another subject has its own bucket
    const erin = await idToken(s, 'erin');
    expect((await vend(s, erin, 'rate-other')).status).not.toBe(429);
  });

  it('refuses a source address over its limit before reading the token, and records it', async () => {
    const s = await start({ TESSERA_RATE_LIMIT_PER_IP: '4' }); // burst 1
    const first = await vend(s, 'not-a-token', 'rate-ip');
    const second = await vend(s, 'not-a-token', 'rate-ip');
    expect([first.status, second.status]).toEqual([401, 429]);
    expect(second.headers.get('retry-after')).not.toBeNull();
    const events = await eventsOf(s, 'rate-ip');
    expect(events.map((e) => e.reason).sort()).toEqual(['RateLimited', 'TokenMalformed']);
  });
});
