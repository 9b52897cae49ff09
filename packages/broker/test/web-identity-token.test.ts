import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigner } from '../src/adapters/file-signer.js';
import {
  AWS_SOURCE_IDENTITY_CLAIM,
  AWS_TAGS_CLAIM,
  discoveryDocument,
  jwkThumbprint,
  mintWebIdentityToken,
  oidcProviderArn,
  providerKey,
  WEB_IDENTITY_TOKEN_SECONDS,
} from '../src/index.js';

const ISSUER = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const now = new Date('2026-11-29T12:00:00Z');

const input = {
  issuer: ISSUER,
  audience: 'sts.amazonaws.com',
  userPoolId: 'eu-west-1_AbC',
  subject: '5f1c-7a',
  tags: [
    { Key: 'team', Value: 'platform' },
    { Key: 'cost-center', Value: '42' },
  ],
  transitiveTagKeys: ['team'],
  sourceIdentity: 'erin',
  now,
  jti: 'jti-0001',
};

describe('mintWebIdentityToken', () => {
  it('signs a token any JOSE verifier accepts with the published key, with the claims AWS documents', async () => {
    const signer = generateSigner();
    const minted = await mintWebIdentityToken(signer, input);
    const jwks = createLocalJWKSet({ keys: [signer.publicJwk] });
    const { payload, protectedHeader } = await jwtVerify(minted.token, jwks, {
      issuer: ISSUER,
      audience: 'sts.amazonaws.com',
      currentDate: now,
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: signer.kid, typ: 'JWT' });
    expect(payload).toEqual({
      iss: ISSUER,
      aud: 'sts.amazonaws.com',
      sub: 'eu-west-1_AbC|5f1c-7a',
      iat: now.getTime() / 1000,
      nbf: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 300,
      jti: 'jti-0001',
      [AWS_TAGS_CLAIM]: {
        principal_tags: { team: ['platform'], 'cost-center': ['42'] },
        transitive_tag_keys: ['team'],
      },
      [AWS_SOURCE_IDENTITY_CLAIM]: 'erin',
    });
    expect(minted).toMatchObject({
      jti: 'jti-0001',
      kid: signer.kid,
      expiresAt: '2026-11-29T12:05:00.000Z',
    });
    expect(WEB_IDENTITY_TOKEN_SECONDS).toBe(300);
  });

  it('leaves the tags claim out without tags and transitive_tag_keys out when none is transitive', async () => {
    const signer = generateSigner();
    const bare = await mintWebIdentityToken(signer, {
      ...input,
      tags: [],
      transitiveTagKeys: [],
      sourceIdentity: undefined,
    });
    const { payload } = await jwtVerify(
      bare.token,
      createLocalJWKSet({ keys: [signer.publicJwk] }),
      {
        currentDate: now,
      },
    );
    expect(payload[AWS_TAGS_CLAIM]).toBeUndefined();
    expect(payload[AWS_SOURCE_IDENTITY_CLAIM]).toBeUndefined();
    const tagged = await mintWebIdentityToken(signer, { ...input, transitiveTagKeys: [] });
    const t = await jwtVerify(tagged.token, createLocalJWKSet({ keys: [signer.publicJwk] }), {
      currentDate: now,
    });
    expect(t.payload[AWS_TAGS_CLAIM]).toEqual({
      principal_tags: { team: ['platform'], 'cost-center': ['42'] },
    });
  });

  it('is refused by a verifier after its 5 minutes', async () => {
    const signer = generateSigner();
    const minted = await mintWebIdentityToken(signer, input);
    await expect(
      jwtVerify(minted.token, createLocalJWKSet({ keys: [signer.publicJwk] }), {
        currentDate: new Date(now.getTime() + 301_000),
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });
});

describe('the issuer documents', () => {
  it('discovery names the issuer, its JWKS URL and the algorithms of its published keys', () => {
    const signer = generateSigner();
    expect(discoveryDocument(ISSUER, [signer.publicJwk])).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
    });
  });

  it('the provider key and ARN are the issuer URL without https://', () => {
    expect(providerKey(`${ISSUER}/`)).toBe('abc123.execute-api.eu-west-1.amazonaws.com');
    expect(oidcProviderArn('111122223333', ISSUER)).toBe(
      'arn:aws:iam::111122223333:oidc-provider/abc123.execute-api.eu-west-1.amazonaws.com',
    );
  });

  it("kid is the RFC 7638 thumbprint (the RFC's own example)", () => {
    expect(
      jwkThumbprint({
        kty: 'RSA',
        e: 'AQAB',
        n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      }),
    ).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});
