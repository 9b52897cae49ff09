import { fixedClock, scheduledKeys } from '@tessera/broker';
import { generateSigner } from '@tessera/broker/file-signer';
import { MemoryTokenVerifier } from '@tessera/broker/testing';
import { describe, expect, it } from 'vitest';
import { NOW } from '../../broker/test/fixtures.js';
import { type ConfigError, createApp, loadConfig, type TesseraConfig } from '../src/index.js';
import { apiEvent, lambdaContext } from './events.js';

const base: TesseraConfig = {
  region: 'eu-west-1',
  tables: { bindings: 'b', audit: 'a', subjects: null },
  pools: [{ userPoolId: 'eu-west-1_AbC', clientIds: ['app-client-id'] }],
  adminGroup: 'tessera-admins',
  accountId: '111122223333',
  roleChainingCap: true,
  cache: { bindingsSeconds: 0 },
  storeTimeoutMs: 1000,
  stsTimeoutMs: 1500,
  auditTtlDays: 30,
  subjectTtlDays: 90,
  corsOrigins: [],
  rateLimits: { perSourceIp: null, perSubject: null },
  accounts: {},
  customAttributes: [],
  console: {
    federationEndpoint: 'https://signin.aws.amazon.com/federation',
    destination: 'https://console.aws.amazon.com/',
    issuer: null,
  },
};
const ISSUER = 'https://id.tessera.example.com';

describe('GET /.well-known/*', () => {
  const current = generateSigner();
  const next = generateSigner();
  const signingKeys = scheduledKeys([
    { signer: current, signsFrom: new Date(NOW.getTime() - 86_400_000) },
    { signer: next, signsFrom: new Date(NOW.getTime() + 300_000) },
  ]);
  const app = createApp(
    { ...base, oidc: { issuer: ISSUER, audience: 'sts.amazonaws.com', keys: [] } },
    { signingKeys, clock: fixedClock(NOW), verifier: new MemoryTokenVerifier({}) },
  );

  it('the discovery document names the issuer and its JWKS URL, cacheable for 5 minutes', async () => {
    const res = await app.openidConfiguration(
      apiEvent('GET', '/.well-known/openid-configuration', {}),
      lambdaContext,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Cache-Control']).toBe('public, max-age=300');
    expect(JSON.parse(res.body ?? '')).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });

  it('the JWKS publishes the signing key and the next one before it signs', async () => {
    const res = await app.jwks(apiEvent('GET', '/.well-known/jwks.json', {}), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Cache-Control']).toBe('public, max-age=300');
    const { keys } = JSON.parse(res.body ?? '') as { keys: { kid: string; d?: string }[] };
    expect(keys.map((k) => k.kid)).toEqual([next.kid, current.kid]);
    expect(keys.every((k) => k.d === undefined)).toBe(true);
  });

  it('without an issuer both routes answer 404 RouteNotFound, not cached', async () => {
    const plain = createApp(base, { verifier: new MemoryTokenVerifier({}) });
    const res = await plain.jwks(apiEvent('GET', '/.well-known/jwks.json', {}), lambdaContext);
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body ?? '').code).toBe('RouteNotFound');
    expect(res.headers?.['Cache-Control']).toBe('no-store');
  });
});

describe('the issuer configuration (TESSERA_OIDC_*)', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    TESSERA_BINDINGS_TABLE: 'b',
    TESSERA_AUDIT_TABLE: 'a',
    TESSERA_SUBJECTS_TABLE: 's',
    TESSERA_POOLS: '[{"userPoolId":"eu-west-1_AbC","clientIds":["c"]}]',
  };

  it('none: no issuer; all: the issuer, audience and keys with their signing instant', () => {
    expect(loadConfig(env).oidc).toBeNull();
    expect(
      loadConfig({
        ...env,
        TESSERA_OIDC_ISSUER: `${ISSUER}/`,
        TESSERA_OIDC_AUDIENCE: 'sts.amazonaws.com',
        TESSERA_OIDC_KEYS:
          '[{"keyId":"arn:aws:kms:eu-west-1:111122223333:key/k1","signsFrom":"2026-01-01T00:00:00Z"}]',
      }).oidc,
    ).toEqual({
      issuer: ISSUER,
      audience: 'sts.amazonaws.com',
      keys: [
        {
          keyId: 'arn:aws:kms:eu-west-1:111122223333:key/k1',
          signsFrom: new Date('2026-01-01T00:00:00Z'),
        },
      ],
    });
  });

  it('refuses an http issuer off loopback, a bad key entry, and a partial configuration', () => {
    const problems = (extra: Record<string, string>) => {
      try {
        loadConfig({ ...env, ...extra });
      } catch (err) {
        return (err as ConfigError).problems.map((p) => p.pointer);
      }
      return [];
    };
    expect(
      problems({
        TESSERA_OIDC_ISSUER: 'http://id.example.com',
        TESSERA_OIDC_AUDIENCE: 'sts.amazonaws.com',
        TESSERA_OIDC_KEYS: '[{"keyId":"k","signsFrom":"never"}]',
      }),
    ).toEqual(['/TESSERA_OIDC_ISSUER', '/TESSERA_OIDC_KEYS/0/signsFrom']);
    expect(problems({ TESSERA_OIDC_ISSUER: ISSUER })).toEqual(['/TESSERA_OIDC_AUDIENCE']);
  });
});
