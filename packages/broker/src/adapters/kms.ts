/**
 * The KMS signer: an asymmetric AWS KMS key (RSA_2048 -> RS256 with RSASSA_PKCS1_V1_5_SHA_256, or
 * ECC_NIST_P256 -> ES256 with ECDSA_SHA_256) that never leaves KMS. Created at init: GetPublicKey
 * once per key (the JWKS entry and `kid` come from it), then only `kms:Sign` on the warm path, with
 * the SHA-256 digest of the signing input (`MessageType: DIGEST`, so a token of any size fits
 * KMS's 4,096-byte message limit). KMS answers ECDSA signatures in DER; JWS wants r||s.
 */
import { createHash, createPublicKey } from 'node:crypto';
import {
  GetPublicKeyCommand,
  type GetPublicKeyCommandOutput,
  KMSClient,
  type KMSClientConfig,
  SignCommand,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import {
  jwkThumbprint,
  type PublicJwk,
  type Signer,
  SignerError,
  type SigningAlgorithm,
} from '../signer.js';

export interface KmsSignerOptions {
  readonly client?: KMSClient;
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: KMSClientConfig['credentials'];
}

const SPECS: Record<string, { alg: SigningAlgorithm; kms: SigningAlgorithmSpec }> = {
  RSA_2048: { alg: 'RS256', kms: 'RSASSA_PKCS1_V1_5_SHA_256' },
  ECC_NIST_P256: { alg: 'ES256', kms: 'ECDSA_SHA_256' },
};

export function createKmsClient(options: KmsSignerOptions): KMSClient {
  return (
    options.client ??
    new KMSClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: options.credentials,
      retryMode: 'standard',
      maxAttempts: 3,
    })
  );
}

/** Reads the key's public half (GetPublicKey) and returns a signer over `kms:Sign`. */
export async function createKmsSigner(
  keyId: string,
  options: KmsSignerOptions = {},
): Promise<Signer> {
  const client = createKmsClient(options);
  let out: GetPublicKeyCommandOutput;
  try {
    out = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
  } catch (err) {
    throw new SignerError('SignerUnavailable', `KMS GetPublicKey failed: ${(err as Error)?.name}`, {
      cause: err,
    });
  }
  const spec = SPECS[out.KeySpec ?? ''];
  if (!spec || out.KeyUsage !== 'SIGN_VERIFY' || !out.PublicKey) {
    throw new SignerError(
      'SignerUnavailable',
      `KMS key ${keyId} must be an RSA_2048 or ECC_NIST_P256 SIGN_VERIFY key (is ${out.KeySpec} ${out.KeyUsage})`,
    );
  }
  const publicJwk = toPublicJwk(out.PublicKey, spec.alg);
  return {
    kid: publicJwk.kid,
    alg: spec.alg,
    publicJwk,
    async sign(signingInput) {
      const digest = new Uint8Array(createHash('sha256').update(signingInput).digest());
      let signed: { Signature?: Uint8Array };
      try {
        signed = await client.send(
          new SignCommand({
            KeyId: keyId,
            Message: digest,
            MessageType: 'DIGEST',
            SigningAlgorithm: spec.kms,
          }),
        );
      } catch (err) {
        throw new SignerError('SignerUnavailable', `KMS Sign failed: ${(err as Error)?.name}`, {
          cause: err,
        });
      }
      if (!signed.Signature)
        throw new SignerError('SignerUnavailable', 'KMS answered no signature');
      return spec.alg === 'ES256' ? derToJose(signed.Signature, 32) : signed.Signature;
    },
  };
}

function toPublicJwk(spki: Uint8Array, alg: SigningAlgorithm): PublicJwk {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  if (alg === 'RS256' && jwk.kty === 'RSA' && jwk.n && jwk.e) {
    const pub = { kty: 'RSA' as const, n: jwk.n, e: jwk.e };
    return { ...pub, kid: jwkThumbprint(pub), alg, use: 'sig' };
  }
  if (alg === 'ES256' && jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.x && jwk.y) {
    const pub = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x, y: jwk.y };
    return { ...pub, kid: jwkThumbprint(pub), alg, use: 'sig' };
  }
  throw new SignerError('SignerUnavailable', 'KMS public key does not match its key spec');
}

/** An ECDSA signature, DER `SEQUENCE { INTEGER r, INTEGER s }`, as JWS r||s of `size` bytes each. */
export function derToJose(der: Uint8Array, size: number): Uint8Array {
  const bytes = Buffer.from(der);
  let offset = 2;
  if (bytes[0] !== 0x30) throw new SignerError('SignerUnavailable', 'ECDSA signature is not DER');
  if (bytes[1]! & 0x80) offset = 2 + (bytes[1]! & 0x7f);
  const out = new Uint8Array(size * 2);
  for (let i = 0; i < 2; i++) {
    if (bytes[offset] !== 0x02)
      throw new SignerError('SignerUnavailable', 'ECDSA signature is not DER');
    const len = bytes[offset + 1]!;
    let int = bytes.subarray(offset + 2, offset + 2 + len);
    while (int.length > size && int[0] === 0) int = int.subarray(1);
    if (int.length > size) throw new SignerError('SignerUnavailable', 'ECDSA integer too long');
    out.set(int, i * size + (size - int.length));
    offset += 2 + len;
  }
  return out;
}
