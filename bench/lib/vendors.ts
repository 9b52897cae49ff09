/**
 * Both credential vendors side by side, through the stack's real HTTP API as `erin` (engineering):
 * `eng-readonly` (AssumeRole: the broker's role-session credentials, role chaining) and
 * `eng-workday` (web-identity: Tessera signs a 5-minute token with the stack's ES256 key file, the
 * local STS fetches nothing on the warm path — its JWKS cache — verifies the signature and the
 * trust policy, AssumeRoleWithWebIdentity). Sequential calls interleaved one for one, warm.
 *
 * KMS cannot run here: the local file signer stands in for `kms:Sign`. Its own time per signature
 * is measured and stated; a deployed web-identity vend adds one KMS Sign round trip instead
 * (not measured here, it depends on the region and the network).
 */
import { generateSigner } from '@tessera/broker/file-signer';
import { type Distribution, distribution } from './percentiles.js';

const PAIRS = 300;
const WARMUP = 50;
const SIGNS = 2000;

async function timedVend(api: string, token: string, role: string): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await fetch(`${api}/v1/credentials`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  const text = await res.text();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 200)
    throw new Error(`vend ${role} answered ${res.status}: ${text.slice(0, 200)}`);
  return elapsed;
}

export interface VendorsResult {
  readonly pairs: number;
  readonly assumeRole: { readonly binding: string; readonly ms: Distribution };
  readonly webIdentity: { readonly binding: string; readonly ms: Distribution };
  readonly localSigner: {
    readonly alg: 'ES256';
    readonly standsInFor: string;
    readonly us: Distribution;
  };
}

export async function vendorsSideBySide(api: string, token: string): Promise<VendorsResult> {
  for (let i = 0; i < WARMUP; i++) {
    await timedVend(api, token, 'eng-readonly');
    await timedVend(api, token, 'eng-workday');
  }
  const assume: number[] = [];
  const web: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    assume.push(await timedVend(api, token, 'eng-readonly'));
    web.push(await timedVend(api, token, 'eng-workday'));
  }
  const signer = generateSigner();
  const input = new TextEncoder().encode('x'.repeat(700));
  const signs: number[] = [];
  for (let i = 0; i < SIGNS; i++) {
    const start = process.hrtime.bigint();
    await signer.sign(input);
    signs.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return {
    pairs: PAIRS,
    assumeRole: { binding: 'eng-readonly', ms: distribution(assume) },
    webIdentity: { binding: 'eng-workday', ms: distribution(web) },
    localSigner: {
      alg: 'ES256',
      standsInFor: 'kms:Sign (ECC_NIST_P256, ECDSA_SHA_256), not measured here',
      us: distribution(signs.slice(SIGNS / 10)),
    },
  };
}
