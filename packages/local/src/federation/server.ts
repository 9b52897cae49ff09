/**
 * A stand-in for the AWS federation endpoint (`https://signin.aws.amazon.com/federation`), so a
 * console sign-in link can be followed locally. As AWS documents it for a custom identity broker:
 *
 * - `?Action=getSigninToken&Session=<json>[&SessionDuration=n]` takes temporary credentials
 *   (`sessionId`, `sessionKey`, `sessionToken`) that must be a live role session of the local
 *   STS, and answers `{"SigninToken": ...}`. `SessionDuration` (900..43200) is refused for
 *   role-chained credentials (AWS answers 400 there); without it the console session lasts an
 *   hour, never past the credentials.
 * - `?Action=login&Issuer=&Destination=&SigninToken=` accepts a token for 15 minutes, while its
 *   session is live, and shows a small page naming the assumed role, the session and its expiry
 *   (where AWS would open the console at `Destination`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, listen, safeEqual, sendJson, sendText } from '../http.js';
import { xmlEscape } from '../query.js';
import type { RoleSession, SessionRegistry } from '../sts/sessions.js';

/** How long a sign-in token may be used (AWS: 15 minutes). */
export const SIGNIN_TOKEN_SECONDS = 900;
const MAX_TOKENS = 10_000;

interface Issued {
  readonly session: RoleSession;
  readonly issuedAt: number;
  readonly consoleExpires: Date;
}

export interface FederationDeps {
  readonly registry: SessionRegistry;
  readonly now: () => number;
}

function page(res: ServerResponse, status: number, title: string, body: string): void {
  sendText(
    res,
    status,
    'text/html; charset=utf-8',
    `<!doctype html><html><head><meta charset="utf-8"><title>${xmlEscape(title)}</title></head><body><h1>${xmlEscape(title)}</h1>${body}</body></html>\n`,
    { 'cache-control': 'no-store' },
  );
}

/** The live role session named by a getSigninToken `Session` parameter, or why not. */
function liveSession(deps: FederationDeps, raw: string | null): RoleSession | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '');
  } catch {
    return 'Session must be JSON {sessionId, sessionKey, sessionToken}';
  }
  const { sessionId, sessionKey, sessionToken } = (parsed ?? {}) as Record<string, unknown>;
  if (
    typeof sessionId !== 'string' ||
    typeof sessionKey !== 'string' ||
    typeof sessionToken !== 'string'
  ) {
    return 'Session must be JSON {sessionId, sessionKey, sessionToken}';
  }
  const found = deps.registry.lookup(sessionId, sessionToken);
  if (!found.found)
    return found.reason === 'expired'
      ? 'the credentials have expired'
      : 'Invalid credentials parameter';
  if (found.caller.kind !== 'session' || !safeEqual(found.caller.secretAccessKey, sessionKey)) {
    return 'Invalid credentials parameter';
  }
  return found.caller;
}

export async function startFederation(
  deps: FederationDeps,
  options: { port: number; fallbackToRandom: boolean },
): Promise<LocalServer> {
  const tokens = new Map<string, Issued>();

  const getSigninToken = (url: URL, res: ServerResponse) => {
    const session = liveSession(deps, url.searchParams.get('Session'));
    if (typeof session === 'string') return sendJson(res, 400, { message: session });
    const rawDuration = url.searchParams.get('SessionDuration');
    const now = deps.now();
    let consoleEnd = Math.min(session.expiration.getTime(), now + 3600_000);
    if (rawDuration !== null) {
      const seconds = Number(rawDuration);
      if (session.roleChained || !Number.isInteger(seconds) || seconds < 900 || seconds > 43_200) {
        // As AWS: SessionDuration is not accepted with role-chained credentials.
        return sendJson(res, 400, { message: 'Invalid credentials parameter' });
      }
      consoleEnd = now + seconds * 1000;
    }
    if (tokens.size >= MAX_TOKENS) tokens.delete(tokens.keys().next().value as string);
    const signinToken = randomBytes(48).toString('base64url');
    tokens.set(signinToken, { session, issuedAt: now, consoleExpires: new Date(consoleEnd) });
    return sendJson(res, 200, { SigninToken: signinToken });
  };

  const login = (url: URL, res: ServerResponse) => {
    const issued = tokens.get(url.searchParams.get('SigninToken') ?? '');
    const now = deps.now();
    if (!issued || now - issued.issuedAt > SIGNIN_TOKEN_SECONDS * 1000) {
      return page(
        res,
        400,
        'Sign-in token invalid',
        '<p>The sign-in token is invalid or has expired.</p>',
      );
    }
    const live = deps.registry.lookup(issued.session.accessKeyId, issued.session.sessionToken);
    if (!live.found || now >= issued.consoleExpires.getTime()) {
      return page(
        res,
        400,
        'Session expired',
        '<p>The session behind this sign-in link has expired.</p>',
      );
    }
    const s = issued.session;
    const destination = url.searchParams.get('Destination') ?? '';
    const issuer = url.searchParams.get('Issuer');
    return page(
      res,
      200,
      'Signed in to the local AWS console',
      `<dl><dt>Role</dt><dd id="role">${xmlEscape(s.role.arn)}</dd>` +
        `<dt>Session</dt><dd id="session">${xmlEscape(s.arn)}</dd>` +
        `<dt>Source identity</dt><dd id="source-identity">${xmlEscape(s.sourceIdentity ?? '')}</dd>` +
        `<dt>Expires</dt><dd id="expires">${issued.consoleExpires.toISOString()}</dd>` +
        `<dt>Destination</dt><dd id="destination">${xmlEscape(destination)}</dd></dl>` +
        (issuer ? `<p>Signed out or expired? Start again at ${xmlEscape(issuer)}</p>` : ''),
    );
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://local');
    req.resume();
    if (req.method !== 'GET' || url.pathname !== '/federation') {
      return sendJson(res, 404, { message: 'GET /federation?Action=getSigninToken|login' });
    }
    switch (url.searchParams.get('Action')) {
      case 'getSigninToken':
        return getSigninToken(url, res);
      case 'login':
        return login(url, res);
      default:
        return sendJson(res, 400, { message: 'Action must be getSigninToken or login' });
    }
  };
  return listen(handler, { ...options, name: 'federation' });
}
