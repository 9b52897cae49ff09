/**
 * The credential cache. Key: SHA-256 of (pool, user, role, requested duration, session-policy
 * hash). Value: the vended credentials (with their `expiration`). Served until `refreshBefore`
 * (default 5 minutes) before `expiration`, so a caller never gets credentials about to lapse;
 * concurrent callers of one key share one vend (single flight, in this process).
 */
import { canonicalJson, sha256Hex } from './hash.js';
import { SingleFlight } from './single-flight.js';
import type { KeyValueStorage } from './storage.js';
import type { AwsCredentials, PolicyDocument } from './types.js';

export interface CacheKeyParts {
  /** The pool's issuer URL (`iss`). */
  readonly pool: string;
  /** The user's `sub`. */
  readonly user: string;
  readonly role: string;
  readonly durationSeconds?: number | undefined;
  readonly policy?: PolicyDocument | undefined;
}

export interface CachedCredentials {
  readonly credentials: AwsCredentials;
  readonly fromCache: boolean;
}

export interface CredentialCacheOptions {
  readonly storage: KeyValueStorage;
  /** Serve until this long before `expiration` (seconds, default 300). */
  readonly refreshBeforeSeconds?: number;
  readonly now?: () => number;
}

const DEFAULT_REFRESH_BEFORE = 300;

/**
 * The cache key of these parts. `hash` is SHA-256 as hex: WebCrypto by default (browser and Node);
 * a Node CLI may pass `node:crypto`'s, which loads faster. Both give the same key.
 */
export async function credentialCacheKey(
  parts: CacheKeyParts,
  hash: (text: string) => string | Promise<string> = sha256Hex,
): Promise<string> {
  const policyHash = parts.policy ? await hash(canonicalJson(parts.policy)) : '';
  const text = canonicalJson([
    parts.pool,
    parts.user,
    parts.role,
    parts.durationSeconds ?? null,
    policyHash,
  ]);
  return `cred-${(await hash(text)).slice(0, 40)}`;
}

export class CredentialCache {
  private readonly flights = new SingleFlight<CachedCredentials>();
  private readonly refreshBeforeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: CredentialCacheOptions) {
    this.refreshBeforeMs = (options.refreshBeforeSeconds ?? DEFAULT_REFRESH_BEFORE) * 1000;
    this.now = options.now ?? Date.now;
  }

  /** The cached credentials for this key when still fresh; undefined otherwise. */
  async peek(key: string): Promise<AwsCredentials | undefined> {
    const raw = await this.options.storage.get(key);
    if (!raw) return undefined;
    const cached = parseCredentials(raw);
    if (!cached) return undefined;
    const expires = Date.parse(cached.expiration);
    return expires - this.refreshBeforeMs > this.now() ? cached : undefined;
  }

  /** Fresh cached credentials, or one vend shared by every concurrent caller of the key. */
  async get(key: string, vend: () => Promise<AwsCredentials>): Promise<CachedCredentials> {
    const cached = await this.peek(key);
    if (cached) return { credentials: cached, fromCache: true };
    return this.flights.run(key, async () => {
      const credentials = await vend();
      await this.options.storage.set(key, JSON.stringify(credentials));
      return { credentials, fromCache: false };
    });
  }

  async forget(key: string): Promise<void> {
    await this.options.storage.delete(key);
  }
}

function parseCredentials(raw: string): AwsCredentials | undefined {
  try {
    const v = JSON.parse(raw) as Partial<AwsCredentials>;
    const ok =
      typeof v.accessKeyId === 'string' &&
      typeof v.secretAccessKey === 'string' &&
      typeof v.sessionToken === 'string' &&
      typeof v.expiration === 'string' &&
      !Number.isNaN(Date.parse(v.expiration));
    return ok ? (v as AwsCredentials) : undefined;
  } catch {
    return undefined; // a torn or foreign file: vend again
  }
}
