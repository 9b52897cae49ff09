/**
 * The file-backed signer of the local stack: ES256 (P-256) keys kept in
 * `<home>/keys/web-identity.json` (0600), signed with node:crypto, rotated on the same schedule as
 * the KMS keys (key-rotation.ts): a rotation adds a key that signs only `publishLeadSeconds` later,
 * and a key leaves the file once the schedule no longer publishes it.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KeyScheduleOptions, retiredKeys, type ScheduledKey } from '../key-rotation.js';
import { type SigningKeys, scheduledKeys } from '../oidc-issuer.js';
import { jwkThumbprint, type PublicJwk, type Signer, SignerError } from '../signer.js';
import { WEB_IDENTITY_TOKEN_SECONDS } from '../web-identity-token.js';

interface StoredKey {
  readonly kid: string;
  readonly signsFrom: string;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
}

/** An in-process ES256 signer over a private key (the file signer's keys; tests; the benchmark). */
export function keyObjectSigner(privateKey: KeyObject): Signer {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new SignerError('SignerUnavailable', 'the key is not a P-256 key');
  }
  const pub = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x, y: jwk.y };
  const kid = jwkThumbprint(pub);
  const publicJwk: PublicJwk = { ...pub, kid, alg: 'ES256', use: 'sig' };
  return {
    kid,
    alg: 'ES256',
    publicJwk,
    sign: async (input) =>
      new Uint8Array(sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
  };
}

export function generateSigner(): Signer {
  return keyObjectSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

export interface FileSignerOptions {
  /** A new key is published this long before it signs: at least the JWKS cache lifetime. Default 300. */
  readonly publishLeadSeconds?: number;
  readonly schedule?: KeyScheduleOptions;
}

export class FileKeyRing implements SigningKeys {
  readonly #path: string;
  readonly #options: Required<FileSignerOptions>;
  #keys: ScheduledKey[];
  #stored: StoredKey[];
  #view: SigningKeys;

  private constructor(path: string, stored: StoredKey[], options: Required<FileSignerOptions>) {
    this.#path = path;
    this.#options = options;
    this.#stored = stored;
    this.#keys = stored.map(toScheduled);
    this.#view = scheduledKeys(this.#keys, options.schedule);
  }

  /** Opens (or creates, with one key that signs at once) the key file under `<home>/keys/`. */
  static open(home: string, now: Date, options: FileSignerOptions = {}): FileKeyRing {
    const dir = join(home, 'keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'web-identity.json');
    const full: Required<FileSignerOptions> = {
      publishLeadSeconds: options.publishLeadSeconds ?? 300,
      schedule: options.schedule ?? { tokenLifetimeSeconds: WEB_IDENTITY_TOKEN_SECONDS },
    };
    let stored: StoredKey[] = [];
    if (existsSync(path)) {
      try {
        stored = (JSON.parse(readFileSync(path, 'utf8')) as { keys: StoredKey[] }).keys;
      } catch (err) {
        throw new SignerError(
          'SignerUnavailable',
          `${path} is unreadable; remove it to regenerate`,
          {
            cause: err,
          },
        );
      }
    }
    const ring = new FileKeyRing(path, stored, full);
    if (stored.length === 0) ring.#add(newKey(now));
    return ring;
  }

  active(now: Date): Signer {
    return this.#view.active(now);
  }

  published(now: Date): readonly PublicJwk[] {
    return this.#view.published(now);
  }

  /** Adds a key that signs `publishLeadSeconds` after `now`; drops keys no longer published. */
  rotate(now: Date): string {
    const next = newKey(new Date(now.getTime() + this.#options.publishLeadSeconds * 1000));
    this.#add(next);
    const retired = new Set(
      retiredKeys(this.#keys, now, this.#options.schedule).map((k) => k.signer.kid),
    );
    this.#set(this.#stored.filter((k) => !retired.has(k.kid)));
    return next.kid;
  }

  #add(key: StoredKey): void {
    this.#set([...this.#stored, key]);
  }

  #set(stored: StoredKey[]): void {
    this.#stored = stored;
    this.#keys = stored.map(toScheduled);
    this.#view = scheduledKeys(this.#keys, this.#options.schedule);
    writeFileSync(this.#path, `${JSON.stringify({ keys: stored }, null, 2)}\n`, { mode: 0o600 });
  }
}

function newKey(signsFrom: Date): StoredKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = keyObjectSigner(privateKey);
  return {
    kid: signer.kid,
    signsFrom: signsFrom.toISOString(),
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

function toScheduled(stored: StoredKey): ScheduledKey {
  return {
    signer: keyObjectSigner(createPrivateKey(stored.privateKey)),
    signsFrom: new Date(stored.signsFrom),
  };
}
