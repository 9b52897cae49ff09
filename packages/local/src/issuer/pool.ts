/**
 * The Cognito-shaped user pool: users, app clients, and the tokens it mints with Cognito's claim
 * set and a Cognito-format `iss`, so production's CognitoJwtVerifier checks them unchanged.
 *
 * Caches (in memory, gone on restart): refresh tokens (opaque, key: token, value: the session it
 * continues, TTL 30 days as Cognito's default; at most MAX_REFRESH_TOKENS) and authorization codes
 * (single use, TTL 5 min; at most MAX_CODES). Past a bound, the oldest issued is forgotten first
 * (a forgotten refresh token is refused, as a revoked one is): they grow with every sign-in.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { safeEqual } from '../http.js';
import type { UserSecret } from '../state.js';
import type { LocalClient, LocalConfig, LocalUser } from '../types.js';
import type { KeyRing } from './keys.js';

export const MAX_REFRESH_TOKENS = 10_000;
export const MAX_CODES = 1_000;

/** Sets a key in an insertion-ordered map, forgetting the oldest entry past `max`. */
function setBounded<V>(map: Map<string, V>, max: number, key: string, value: V): void {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

export interface PoolUser extends LocalUser {
  readonly sub: string;
}

export interface TokenSet {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresIn: number;
  readonly tokenType: 'Bearer';
}

interface RefreshSession {
  readonly username: string;
  readonly clientId: string;
  readonly authTime: number;
  readonly originJti: string;
  readonly scope: string;
  readonly expiresAt: number;
}

export interface AuthCode {
  readonly username: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly codeChallenge: string;
  readonly nonce: string | undefined;
  readonly authTime: number;
  readonly expiresAt: number;
}

export type Clock = () => number;

const REFRESH_SECONDS = 30 * 24 * 3600;
const CODE_SECONDS = 300;
export const SIGNIN_SCOPE = 'aws.cognito.signin.user.admin';

export class UserPool {
  readonly issuer: string;
  private readonly users = new Map<string, PoolUser & { password: string }>();
  private readonly refresh = new Map<string, RefreshSession>();
  private readonly codes = new Map<string, AuthCode>();
  /** Callback URLs set after start (the portal's follow the API's port), by client name. */
  private readonly callbacks = new Map<string, readonly string[]>();

  constructor(
    readonly config: LocalConfig,
    secrets: Readonly<Record<string, UserSecret>>,
    private readonly keys: KeyRing,
    private readonly now: Clock = Date.now,
  ) {
    this.issuer = `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
    for (const u of config.users) {
      const s = secrets[u.username];
      if (s) this.users.set(u.username, { ...u, sub: s.sub, password: s.password });
    }
  }

  get userPoolId(): string {
    return this.config.userPoolId;
  }

  client(clientId: string): LocalClient | undefined {
    const client = this.config.clients.find((c) => c.clientId === clientId);
    const callbackUrls = client && this.callbacks.get(client.name);
    return client && callbackUrls ? { ...client, callbackUrls: [...callbackUrls] } : client;
  }

  /** Replaces a client's registered redirect URIs (by its name in the config). */
  setCallbackUrls(clientName: string, urls: readonly string[]): void {
    this.callbacks.set(clientName, [...urls]);
  }

  callbackUrls(clientName: string): readonly string[] {
    return (
      this.callbacks.get(clientName) ??
      this.config.clients.find((c) => c.name === clientName)?.callbackUrls ??
      []
    );
  }

  user(username: string): PoolUser | undefined {
    return this.users.get(username);
  }

  userBySub(sub: string): PoolUser | undefined {
    for (const u of this.users.values()) if (u.sub === sub) return u;
    return undefined;
  }

  /** Constant-time password check; an unknown user costs the same as a wrong password. */
  authenticate(username: string, unverifiedPassword: string): PoolUser | undefined {
    const user = this.users.get(username);
    const expected = createHash('sha256')
      .update(user?.password ?? 'no-such-user')
      .digest('hex');
    const given = createHash('sha256').update(unverifiedPassword).digest('hex');
    const ok = safeEqual(expected, given);
    return user && ok ? user : undefined;
  }

  async mint(
    user: PoolUser,
    client: LocalClient,
    options: {
      scope: string;
      authTime?: number;
      originJti?: string;
      nonce?: string;
      withRefresh: boolean;
    },
  ): Promise<TokenSet> {
    const iat = Math.floor(this.now() / 1000);
    const authTime = options.authTime ?? iat;
    const originJti = options.originJti ?? randomUUID();
    const eventId = randomUUID();
    const { kid, key } = this.keys.active();
    const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
    const attributes: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(user.attributes)) {
      attributes[k] = k === 'email_verified' || k === 'phone_number_verified' ? v === 'true' : v;
    }
    const idToken = await new SignJWT({
      sub: user.sub,
      ...groups,
      ...attributes,
      iss: this.issuer,
      'cognito:username': user.username,
      origin_jti: originJti,
      aud: client.clientId,
      event_id: eventId,
      token_use: 'id',
      auth_time: authTime,
      ...(options.nonce ? { nonce: options.nonce } : {}),
      exp: iat + this.config.tokens.idTokenSeconds,
      iat,
      jti: randomUUID(),
    })
      .setProtectedHeader({ kid, alg: 'RS256' })
      .sign(key);
    const accessToken = await new SignJWT({
      sub: user.sub,
      ...groups,
      iss: this.issuer,
      client_id: client.clientId,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'access',
      scope: options.scope,
      auth_time: authTime,
      exp: iat + this.config.tokens.accessTokenSeconds,
      iat,
      jti: randomUUID(),
      username: user.username,
    })
      .setProtectedHeader({ kid, alg: 'RS256' })
      .sign(key);
    let refreshToken: string | undefined;
    if (options.withRefresh) {
      refreshToken = `eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.${randomBytes(48).toString('base64url')}`;
      setBounded(this.refresh, MAX_REFRESH_TOKENS, refreshToken, {
        username: user.username,
        clientId: client.clientId,
        authTime,
        originJti,
        scope: options.scope,
        expiresAt: this.now() + REFRESH_SECONDS * 1000,
      });
    }
    return {
      idToken,
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      expiresIn: this.config.tokens.accessTokenSeconds,
      tokenType: 'Bearer',
    };
  }

  /** New ID and access tokens for a refresh token issued to this client; undefined otherwise. */
  async refreshTokens(unverifiedToken: string, clientId: string): Promise<TokenSet | undefined> {
    const session = this.refresh.get(unverifiedToken);
    if (!session || session.clientId !== clientId || session.expiresAt <= this.now())
      return undefined;
    const user = this.users.get(session.username);
    const client = this.client(clientId);
    if (!user || !client) return undefined;
    return this.mint(user, client, {
      scope: session.scope,
      authTime: session.authTime,
      originJti: session.originJti,
      withRefresh: false,
    });
  }

  issueCode(code: Omit<AuthCode, 'expiresAt'>): string {
    const value = randomUUID();
    setBounded(this.codes, MAX_CODES, value, {
      ...code,
      expiresAt: this.now() + CODE_SECONDS * 1000,
    });
    return value;
  }

  /** Redeems a code once: it is removed whether or not the rest of the exchange succeeds. */
  takeCode(code: string): AuthCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    if (!found || found.expiresAt <= this.now()) return undefined;
    return found;
  }
}
