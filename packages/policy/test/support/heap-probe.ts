/**
 * Run in its own process by cache.test.ts: `node --expose-gc --import tsx heap-probe.ts`.
 * Measures the heap retained (after full collections) by the policy package's caches when they
 * are fed unique large strings, and prints one JSON line:
 * - `validateRetained`: 10,000 `validatePolicy` calls, each policy holding unique 8 KB strings in
 *   every place a known-good set remembers (action, resource, condition key, numeric, binary and
 *   ARN values), plus unique short ones (so the sets fill to their bounds);
 * - `textCacheRetained`: 10,000 `evaluate` calls, each with a unique ~8 KB policy text (the text
 *   cache keeps texts up to 64 Ki characters, so these are stored until its byte bound);
 * - `compiledBytesPerChar`: heap held by 1,000 compiled copies of a 20-statement policy, per
 *   character of its text (the weight the text cache and the local STS cache count).
 */
import { evaluate, parsePolicy, validatePolicy } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed;
}

const KB8 = 8 * 1024;
const pad = (seed: string, alphabet: string) => (seed + alphabet.repeat(KB8)).slice(0, KB8);

function bigPolicy(i: number): object {
  const id = String(i).padStart(6, '0');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [`s3:${pad(`Get${id}`, 'Object')}`, `s3:Get${id}`],
        Resource: [`arn:aws:s3:::${pad(id, 'bucket/')}`, `arn:aws:s3:::b/${id}`],
        Condition: {
          StringEquals: { [`aws:PrincipalTag/${pad(id, 'team')}`]: 'x', [`aws:k${id}`]: 'y' },
          NumericLessThan: { 'aws:n': [`0.${pad(id, '0123456789')}`, `${i}.5`] },
          BinaryEquals: { 'aws:b': [pad(id.replace(/\d/g, 'A'), 'QUJD'), 'QUJD'] },
          ArnLike: {
            'aws:SourceArn': [`arn:aws:sns:*:*:${pad(id, 'topic')}`, `arn:aws:sns:*:*:${id}`],
          },
          IpAddress: { 'aws:SourceIp': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        },
      },
    ],
  };
}

function validateRetained(): number {
  validatePolicy(bigPolicy(-1));
  const before = heap();
  for (let i = 0; i < 10_000; i++) {
    const findings = validatePolicy(bigPolicy(i));
    if (findings.some((f) => f.severity === 'error')) throw new Error(JSON.stringify(findings[0]));
  }
  return heap() - before;
}

function textCacheRetained(): number {
  const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
  const text = (i: number) =>
    JSON.stringify({
      Version: '2012-10-17',
      Id: pad(String(i).padStart(6, '0'), 'policy'),
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
    });
  evaluate({ request, identityPolicies: [text(-1)] });
  const before = heap();
  for (let i = 0; i < 10_000; i++) evaluate({ request, identityPolicies: [text(i)] });
  return heap() - before;
}

function compiledBytesPerChar(): number {
  const statements = Array.from({ length: 20 }, (_, s) => ({
    Sid: `S${s}`,
    Effect: s % 5 === 4 ? 'Deny' : 'Allow',
    Action: [`s3:Get${s}*`, 's3:PutObject'],
    Resource: [`arn:aws:s3:::bucket-${s}/\${aws:username}/*`],
    Condition: {
      StringEquals: { 'aws:PrincipalTag/team': [`team-${s}`] },
      IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] },
      Bool: { 'aws:SecureTransport': 'true' },
    },
  }));
  const texts = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({ Version: '2012-10-17', Id: `p${i}`, Statement: statements }),
  );
  const before = heap();
  const kept = texts.map((t) => parsePolicy(t));
  const after = heap();
  if (kept.length !== texts.length) throw new Error('unreachable');
  return (after - before) / texts.reduce((n, t) => n + t.length, 0);
}

console.log(
  JSON.stringify({
    validateRetained: validateRetained(),
    textCacheRetained: textCacheRetained(),
    compiledBytesPerChar: compiledBytesPerChar(),
  }),
);
