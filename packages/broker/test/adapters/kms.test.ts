/**
 * The KMS signer against a stand-in for the KMS endpoint (JSON 1.1 protocol, the unchanged
 * `@aws-sdk/client-kms`), backed by real keys: GetPublicKey answers the SPKI DER, Sign signs the
 * digest as KMS does (ECDSA in DER, RSASSA-PKCS1-v1_5). KMS itself cannot run here.
 */
import { execFileSync } from 'node:child_process';
import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { createKmsSigner, derToJose } from '@tessera/broker/aws';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerError, signJwt } from '../../src/index.js';

const keys: Record<string, { spec: string; key: KeyObject }> = {
  ec: { spec: 'ECC_NIST_P256', key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
  rsa: { spec: 'RSA_2048', key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey },
  enc: {
    spec: 'SYMMETRIC_DEFAULT',
    key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  },
};
const calls: { target: string; body: Record<string, unknown> }[] = [];
let failSign = false;
let server: Server;
let endpoint: string;
const keyDir = mkdtempSync(join(tmpdir(), 'tessera-kms-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target']).split('.')[1]!;
      const body = JSON.parse(raw) as Record<string, string>;
      calls.push({ target, body });
      const k = keys[body['KeyId']!]!;
      const send = (status: number, out: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      };
      if (target === 'GetPublicKey') {
        return send(200, {
          KeyId: body['KeyId'],
          KeySpec: k.spec,
          KeyUsage: k.spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY',
          PublicKey: publicDer(k.key),
        });
      }
      if (failSign) return send(400, { __type: 'DisabledException', message: 'key disabled' });
      const digest = new Uint8Array(Buffer.from(body['Message']!, 'base64'));
      const der = signDigest(k.key, digest);
      return send(200, {
        KeyId: body['KeyId'],
        Signature: der,
        SigningAlgorithm: body['SigningAlgorithm'],
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  rmSync(keyDir, { recursive: true, force: true });
  await new Promise<void>((r) => server.close(() => r()));
});

/** The SPKI DER of the key's public half, as KMS's GetPublicKey returns it. */
function publicDer(key: KeyObject): string {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
}

/**
 * Signs a SHA-256 digest as KMS does with MessageType DIGEST: RSASSA-PKCS1-v1_5 is DigestInfo ||
 * digest under the private key; ECDSA over a pre-hashed value has no node:crypto call, so the
 * OpenSSL CLI (Debian's openssl) signs the raw digest.
 */
function signDigest(key: KeyObject, digest: Uint8Array): string {
  if (key.asymmetricKeyType === 'rsa') {
    const digestInfo = [...Buffer.from('3031300d060960864801650304020105000420', 'hex')];
    return privateEncrypt(
      { key, padding: constants.RSA_PKCS1_PADDING },
      new Uint8Array([...digestInfo, ...digest]),
    ).toString('base64');
  }
  const pem = join(keyDir, 'ec.pem');
  writeFileSync(pem, String(key.export({ format: 'pem', type: 'pkcs8' })), { mode: 0o600 });
  return execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', pem], {
    input: digest,
    encoding: 'buffer',
  }).toString('base64');
}

const client = () =>
  new KMSClient({
    region: 'eu-west-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  });

describe('createKmsSigner', () => {
  it('ES256: the JWKS entry comes from GetPublicKey; a token signed through kms:Sign verifies', async () => {
    const signer = await createKmsSigner('ec', { client: client() });
    expect(signer.alg).toBe('ES256');
    expect(signer.publicJwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
      use: 'sig',
      kid: signer.kid,
    });
    const token = await signJwt(signer, { sub: 'eu-west-1_AbC|u1' });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createLocalJWKSet({ keys: [signer.publicJwk] }),
    );
    expect(payload.sub).toBe('eu-west-1_AbC|u1');
    expect(protectedHeader.kid).toBe(signer.kid);
    const sign = calls.filter((c) => c.target === 'Sign').at(-1)!;
    expect(sign.body).toMatchObject({
      KeyId: 'ec',
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
  });

  it('RS256: RSASSA_PKCS1_V1_5_SHA_256, and the token verifies with the published RSA key', async () => {
    const signer = await createKmsSigner('rsa', { client: client() });
    expect(signer.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', e: 'AQAB' });
    const token = await signJwt(signer, { sub: 'x' });
    await expect(
      jwtVerify(token, createLocalJWKSet({ keys: [signer.publicJwk] })),
    ).resolves.toBeTruthy();
    expect(calls.filter((c) => c.target === 'Sign').at(-1)!.body['SigningAlgorithm']).toBe(
      'RSASSA_PKCS1_V1_5_SHA_256',
    );
  });

  it('refuses a key that is not an RSA_2048/ECC_NIST_P256 signing key', async () => {
    await expect(createKmsSigner('enc', { client: client() })).rejects.toMatchObject({
      name: 'SignerError',
      code: 'SignerUnavailable',
    });
  });

  it('a KMS fault on Sign is SignerError SignerUnavailable, never a token', async () => {
    const signer = await createKmsSigner('ec', { client: client() });
    failSign = true;
    try {
      await expect(signJwt(signer, { sub: 'x' })).rejects.toBeInstanceOf(SignerError);
      await expect(signJwt(signer, { sub: 'x' })).rejects.toMatchObject({
        code: 'SignerUnavailable',
      });
    } finally {
      failSign = false;
    }
  });

  it('derToJose pads short integers and strips the sign byte', () => {
    const der = Buffer.from('3008020200ff020201ff', 'hex');
    const jose = Buffer.from(derToJose(new Uint8Array(der), 4));
    expect(jose.toString('hex')).toBe('000000ff000001ff');
  });
});
