/**
 * Console sign-in links, as AWS documents for a custom identity broker ("Enable custom identity
 * broker access to the AWS console"): the vended role-session credentials are exchanged at the
 * federation endpoint's `getSigninToken` for a sign-in token (valid 15 minutes), and the `login`
 * URL carries it with `Issuer` (where an expired console session sends the user) and
 * `Destination` (the console page to open).
 *
 * Session length: `SessionDuration` (900..43200 s) may be sent only with credentials that are not
 * from role chaining — with role-chained credentials (the broker in Lambda runs on a role session)
 * AWS refuses the request, and the console session lasts the default hour, never more than the
 * credentials. So `SessionDuration` is sent only for sessions that are not chained: minted by the
 * web-identity vendor (AssumeRoleWithWebIdentity), or by AssumeRole from long-term credentials.
 */
import { type Credentials, VendError } from '@tessera/broker';
import type { ConsoleConfig } from './config.js';
import { HttpInputError } from './errors.js';

export interface ConsoleLinkDeps {
  readonly config: ConsoleConfig;
  /** The session was minted by role chaining (AssumeRole from the broker's role session). */
  readonly roleChaining: boolean;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

const MIN_SESSION_DURATION = 900;
const MAX_SESSION_DURATION = 43_200;

/** The requested destination, or the default; only pages of the configured console. */
export function consoleDestination(config: ConsoleConfig, raw: unknown): string {
  if (raw === undefined || raw === null) return config.destination;
  const home = new URL(config.destination);
  let url: URL | undefined;
  try {
    url = typeof raw === 'string' && raw.length <= 2048 ? new URL(raw) : undefined;
  } catch {
    url = undefined;
  }
  const ok =
    url !== undefined &&
    url.protocol === home.protocol &&
    (url.host === home.host ||
      url.hostname === baseHost(home.hostname) ||
      url.hostname.endsWith(`.${baseHost(home.hostname)}`));
  if (!ok) {
    throw new HttpInputError(
      'InvalidRequest',
      `destination must be a page of the AWS console (${home.origin})`,
      '/destination',
    );
  }
  return url!.toString();
}

/** `eu-west-1.console.aws.amazon.com` -> `console.aws.amazon.com`: regional consoles are subdomains. */
function baseHost(hostname: string): string {
  const parts = hostname.split('.');
  const i = parts.indexOf('console');
  return i > 0 ? parts.slice(i).join('.') : hostname;
}

/** getSigninToken, then the login URL. Throws VendError('StsUnavailable') when the endpoint fails. */
export async function consoleSigninUrl(
  deps: ConsoleLinkDeps,
  credentials: Credentials,
  durationSeconds: number,
  destination: string,
): Promise<string> {
  const endpoint = deps.config.federationEndpoint;
  const session = JSON.stringify({
    sessionId: credentials.accessKeyId,
    sessionKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
  });
  const params = new URLSearchParams({ Action: 'getSigninToken' });
  if (!deps.roleChaining) {
    const seconds = Math.min(MAX_SESSION_DURATION, Math.max(MIN_SESSION_DURATION, durationSeconds));
    params.set('SessionDuration', String(seconds));
  }
  params.set('Session', session);
  let token: unknown;
  try {
    const res = await (deps.fetch ?? fetch)(`${endpoint}?${params}`, {
      signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`getSigninToken answered ${res.status}`);
    token = ((await res.json()) as { SigninToken?: unknown }).SigninToken;
  } catch (err) {
    throw new VendError('StsUnavailable', 'the federation endpoint did not issue a sign-in token', {
      cause: err,
    });
  }
  if (typeof token !== 'string' || token === '') {
    throw new VendError(
      'StsUnavailable',
      'the federation endpoint answered without a sign-in token',
    );
  }
  const login = new URLSearchParams({ Action: 'login' });
  if (deps.config.issuer !== null) login.set('Issuer', deps.config.issuer);
  login.set('Destination', destination);
  login.set('SigninToken', token);
  return `${endpoint}?${login}`;
}
