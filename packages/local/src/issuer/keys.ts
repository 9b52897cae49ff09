/**
 * The issuer's RS256 signing keys, persisted under `<home>/keys/issuer.json` (0600). The newest
 * key signs; every kept key stays in the JWKS so tokens signed before a rotation still verify.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type SignJWT } from 'jose';
import { LocalStackError } from '../errors.js';

interface StoredKey {
  readonly kid: string;
  readonly createdAt: string;
  readonly privateJwk: JWK;
}

export interface SigningKey {
  readonly kid: string;
  readonly key: Parameters<SignJWT['sign']>[0];
}

export interface PublicJwk extends JWK {
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly kty: 'RSA';
}

/** How many keys the ring keeps after a rotation (the active one and its predecessors). */
const KEEP = 3;

export class KeyRing {
  private constructor(
    private readonly path: string,
    private keys: StoredKey[],
    private signing: SigningKey,
  ) {}

  static async open(home: string): Promise<KeyRing> {
    const dir = join(home, 'keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'issuer.json');
    let keys: StoredKey[] = [];
    if (existsSync(path)) {
      try {
        keys = (JSON.parse(readFileSync(path, 'utf8')) as { keys: StoredKey[] }).keys;
      } catch (err) {
        throw new LocalStackError(
          'InvalidState',
          `${path} is unreadable; remove it to regenerate`,
          {
            cause: err,
          },
        );
      }
    }
    if (keys.length === 0) {
      keys = [await newKey()];
      write(path, keys);
    }
    const active = keys[keys.length - 1]!;
    return new KeyRing(path, keys, await toSigningKey(active));
  }

  /** The key that signs new tokens. */
  active(): SigningKey {
    return this.signing;
  }

  /** The public JWKS: every kept key, newest first. */
  jwks(): { keys: PublicJwk[] } {
    return {
      keys: [...this.keys].reverse().map((k) => {
        const { kty, n, e } = k.privateJwk;
        return { kid: k.kid, alg: 'RS256', use: 'sig', kty: kty as 'RSA', n, e } as PublicJwk;
      }),
    };
  }

  /** Adds a new signing key and keeps the previous ones (up to KEEP) in the JWKS. */
  async rotate(): Promise<string> {
    const next = await newKey();
    this.keys = [...this.keys, next].slice(-KEEP);
    write(this.path, this.keys);
    this.signing = await toSigningKey(next);
    return next.kid;
  }
}

async function newKey(): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  return {
    kid: randomBytes(24).toString('base64'),
    createdAt: new Date().toISOString(),
    privateJwk: await exportJWK(privateKey),
  };
}

async function toSigningKey(stored: StoredKey): Promise<SigningKey> {
  const key = await importJWK(stored.privateJwk, 'RS256');
  return { kid: stored.kid, key };
}

function write(path: string, keys: StoredKey[]): void {
  writeFileSync(path, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
}
