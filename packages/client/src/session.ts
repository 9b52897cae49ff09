/**
 * A signed-in user: the token set in storage, a valid token on demand (refreshed with the refresh
 * token shortly before expiry, one refresh for concurrent callers), and who it is.
 */
import { TesseraClientError } from './errors.js';
import type { Fetch } from './http.js';
import { unverifiedClaims } from './jwt.js';
import { type PoolConfig, refreshTokens } from './pool.js';
import { SingleFlight } from './single-flight.js';
import type { KeyValueStorage } from './storage.js';
import type { TokenSet } from './types.js';

/** Refresh this long before the tokens expire (ms). */
const REFRESH_BEFORE_MS = 60_000;

export interface Identity {
  readonly issuer: string;
  readonly subject: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** ms since epoch. */
  readonly expiresAt: number;
  readonly canRefresh: boolean;
}

export interface SessionOptions {
  readonly pool: PoolConfig;
  readonly storage: KeyValueStorage;
  /** Storage key of this session (one per CLI profile). Default `session`. */
  readonly key?: string;
  readonly fetch?: Fetch;
  readonly now?: () => number;
}

export class Session {
  private readonly key: string;
  private readonly now: () => number;
  private readonly refreshes = new SingleFlight<TokenSet>();

  constructor(private readonly options: SessionOptions) {
    this.key = options.key ?? 'session';
    this.now = options.now ?? Date.now;
  }

  get pool(): PoolConfig {
    return this.options.pool;
  }

  async save(tokens: TokenSet): Promise<void> {
    await this.options.storage.set(this.key, JSON.stringify(tokens));
  }

  async load(): Promise<TokenSet | undefined> {
    const raw = await this.options.storage.get(this.key);
    if (!raw) return undefined;
    try {
      const t = JSON.parse(raw) as TokenSet;
      return typeof t.idToken === 'string' && typeof t.accessToken === 'string' ? t : undefined;
    } catch {
      return undefined;
    }
  }

  async logout(): Promise<void> {
    await this.options.storage.delete(this.key);
  }

  /** Tokens valid for at least a minute, refreshed if needed; `NotLoggedIn` without a session. */
  async tokens(): Promise<TokenSet> {
    const current = await this.load();
    if (!current) throw new TesseraClientError('NotLoggedIn', 'not signed in: run `tessera login`');
    if (current.expiresAt - REFRESH_BEFORE_MS > this.now()) return current;
    if (!current.refreshToken) {
      throw new TesseraClientError('NotLoggedIn', 'the session has expired: run `tessera login`');
    }
    const refreshToken = current.refreshToken;
    return this.refreshes.run(this.key, async () => {
      const fresh = await refreshTokens(this.options.pool, refreshToken, {
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        now: this.now,
      });
      await this.save(fresh);
      return fresh;
    });
  }

  /** The token the API takes (the pool's `tokenUse`). */
  async token(): Promise<string> {
    const t = await this.tokens();
    return this.options.pool.tokenUse === 'id' ? t.idToken : t.accessToken;
  }

  /** Who is signed in, read from the ID token (unverified: for display and cache keys). */
  async identity(): Promise<Identity | undefined> {
    const t = await this.load();
    if (!t) return undefined;
    return identityOf(t);
  }
}

export function identityOf(tokens: TokenSet): Identity {
  const c = unverifiedClaims(tokens.idToken);
  const groups = Array.isArray(c['cognito:groups'])
    ? (c['cognito:groups'] as unknown[]).map(String)
    : [];
  return {
    issuer: String(c.iss ?? ''),
    subject: String(c.sub ?? ''),
    username: String(c['cognito:username'] ?? c.username ?? c.sub ?? ''),
    groups,
    expiresAt: tokens.expiresAt,
    canRefresh: tokens.refreshToken !== undefined,
  };
}
