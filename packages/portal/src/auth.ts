/**
 * Signing in through the pool's hosted login (authorization code + PKCE, `@tessera/client`).
 * Tokens live in `sessionStorage` (gone with the tab; never `localStorage`); the code leaves the
 * address bar before it is exchanged; the tokens are refreshed shortly before they expire.
 */
import {
  type AuthorizationRequest,
  authorizationRequest,
  completeAuthorization,
  type Identity,
  Session,
  WebStorage,
} from '@tessera/client';
import { type PortalConfig, poolOf } from './config.js';

const PENDING_KEY = 'tessera:pending-login';
/** Refresh this long before expiry (the client's Session refreshes within a minute of it). */
const REFRESH_LEAD_MS = 50_000;

export class Auth {
  readonly session: Session;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly config: PortalConfig) {
    this.session = new Session({
      pool: poolOf(config),
      storage: new WebStorage(sessionStorage),
      key: 'portal',
    });
  }

  /** Where the hosted login sends the browser back: this origin's `/callback`. */
  get redirectUri(): string {
    return new URL('callback', new URL('/', location.href)).toString();
  }

  /** Leaves for the hosted login; `state` and the PKCE verifier wait in sessionStorage. */
  async signIn(): Promise<void> {
    const request = await authorizationRequest(poolOf(this.config), this.redirectUri);
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(request));
    location.assign(request.url);
  }

  /**
   * On `/callback`: removes the code from the address bar first, then exchanges it. Undefined
   * when this page is not a callback.
   */
  async completeSignIn(): Promise<Identity | undefined> {
    if (new URL(location.href).pathname !== new URL(this.redirectUri).pathname) return undefined;
    const answer = new URL(location.href);
    history.replaceState(null, '', '/#/roles');
    const pending = sessionStorage.getItem(PENDING_KEY);
    sessionStorage.removeItem(PENDING_KEY);
    const request = pending ? (JSON.parse(pending) as AuthorizationRequest) : undefined;
    if (!request) throw new PendingLoginMissing();
    const tokens = await completeAuthorization(poolOf(this.config), request, answer);
    await this.session.save(tokens);
    return this.session.identity();
  }

  /** Keeps the tokens fresh while the page is open; `onExpired` when a refresh is refused. */
  keepFresh(onExpired: (err: unknown) => void): void {
    clearTimeout(this.timer);
    void this.session.load().then((tokens) => {
      if (!tokens) return;
      const wait = Math.max(0, tokens.expiresAt - REFRESH_LEAD_MS - Date.now());
      this.timer = setTimeout(() => {
        this.session.tokens().then(() => this.keepFresh(onExpired), onExpired);
      }, wait);
    });
  }

  async signOut(): Promise<void> {
    clearTimeout(this.timer);
    await this.session.logout();
  }
}

/** The callback came without a login of this tab to complete (another tab, or a stale link). */
export class PendingLoginMissing extends Error {
  override readonly name = 'PendingLoginMissing';
  readonly code = 'PendingLoginMissing';
  constructor() {
    super('this sign-in was not started from this tab');
  }
}
