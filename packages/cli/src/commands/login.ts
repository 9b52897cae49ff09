/**
 * `tessera login`, `logout`, `whoami`. The browser login is the OAuth2 authorization code flow
 * with PKCE against the pool's hosted UI: a loopback server on the first free port among the app
 * client's registered callback URLs (Cognito matches redirect URIs exactly, port included), the
 * `state` checked, the code exchanged with the verifier. `--username` + `--password-stdin` is
 * USER_PASSWORD_AUTH, for the local stack and scripts.
 */
import { createServer, type Server } from 'node:http';
import {
  type AuthorizationRequest,
  authorizationRequest,
  completeAuthorization,
  identityOf,
  LoginError,
  passwordLogin,
  type TokenSet,
} from '@tessera/client';
import { nodeFetch } from '@tessera/client/node';
import { type Context, type GlobalOptions, openContext } from '../context.js';
import { CliError } from '../errors.js';
import { info, printJson, withSpinner } from '../output.js';

export interface LoginOptions extends GlobalOptions {
  readonly username?: string;
  readonly passwordStdin?: boolean;
  readonly browser?: boolean;
  readonly timeout?: string;
}

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text.replace(/\r?\n$/, '');
}

export async function loginCommand(options: LoginOptions): Promise<void> {
  const ctx = openContext(options);
  let tokens: TokenSet;
  if (options.username !== undefined || options.passwordStdin) {
    if (!options.username || !options.passwordStdin) {
      throw new CliError('UsageError', '--username and --password-stdin go together');
    }
    const password = await readStdin();
    tokens = await withSpinner('signing in', () =>
      passwordLogin(ctx.target.pool, options.username!, password, { fetch: nodeFetch }),
    );
  } else {
    tokens = await browserLogin(ctx, options);
  }
  await ctx.session.save(tokens);
  const who = identityOf(tokens);
  if (options.json) {
    printJson({
      username: who.username,
      groups: who.groups,
      expiresAt: new Date(who.expiresAt).toISOString(),
    });
  } else {
    info(
      `Signed in as ${who.username}${who.groups.length ? ` (${who.groups.join(', ')})` : ''} at ${ctx.target.api}`,
    );
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Listens on the first registered loopback callback whose port is free. */
async function listenOnCallback(
  callbackUrls: readonly string[],
): Promise<{ server: Server; redirectUri: URL }> {
  const candidates = callbackUrls
    .map((u) => new URL(u))
    .filter((u) => u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname) && u.port !== '');
  for (const url of candidates) {
    const server = createServer();
    const host = url.hostname === '[::1]' ? '::1' : url.hostname;
    const ok = await new Promise<boolean>((resolvePromise) => {
      server.once('error', () => resolvePromise(false));
      server.listen(Number(url.port), host, () => resolvePromise(true));
    });
    if (ok) return { server, redirectUri: url };
  }
  throw new LoginError(
    'NoCallbackPort',
    candidates.length === 0
      ? 'the app client has no loopback callback URL (http://127.0.0.1:<port>/...) registered'
      : `every registered loopback callback port is busy (${candidates.map((u) => u.port).join(', ')})`,
  );
}

function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${title}</title><body style="font-family:system-ui,sans-serif;max-width:30rem;margin:4rem auto"><h1>${title}</h1><p>${text}</p></body></html>`;
}

async function browserLogin(ctx: Context, options: LoginOptions): Promise<TokenSet> {
  const { server, redirectUri } = await listenOnCallback(ctx.target.callbackUrls);
  const timeoutMs = Number(options.timeout ?? 300) * 1000;
  try {
    const request = await authorizationRequest(ctx.target.pool, redirectUri.toString());
    const done = awaitRedirect(ctx, server, redirectUri, request, timeoutMs);
    info('Sign in with your browser; if it does not open, open this URL:');
    process.stdout.write(`${request.url}\n`);
    if (options.browser !== false) {
      const open = (await import('open')).default;
      await open(request.url).catch(() => info('(could not open a browser: open the URL above)'));
    }
    return await done;
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

function awaitRedirect(
  ctx: Context,
  server: Server,
  redirectUri: URL,
  request: AuthorizationRequest,
  timeoutMs: number,
): Promise<TokenSet> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new LoginError('LoginTimeout', `no sign-in within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', redirectUri);
      if (req.method !== 'GET' || url.pathname !== redirectUri.pathname) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      completeAuthorization(ctx.target.pool, request, url, { fetch: nodeFetch }).then(
        (tokens) => {
          res
            .writeHead(200, {
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
            })
            .end(
              page(
                'Signed in',
                'You are signed in to Tessera. You can close this tab and return to the terminal.',
              ),
            );
          clearTimeout(timer);
          resolvePromise(tokens);
        },
        (err: unknown) => {
          res
            .writeHead(400, {
              'content-type': 'text/html; charset=utf-8',
              'cache-control': 'no-store',
            })
            .end(page('Sign-in failed', 'The sign-in could not be completed: see the terminal.'));
          // A forged or crossed redirect (state mismatch) is ignored: the real one may still come.
          if (err instanceof LoginError && err.code === 'StateMismatch') return;
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  });
}

export async function logoutCommand(options: GlobalOptions): Promise<void> {
  const ctx = openContext(options);
  await ctx.session.logout();
  if (options.json) printJson({ signedOut: true });
  else info('Signed out (cached credentials stay valid until they expire).');
}

export async function whoamiCommand(options: GlobalOptions): Promise<void> {
  const ctx = openContext(options);
  const who = await ctx.session.identity();
  if (!who) {
    await ctx.session.tokens(); // NotLoggedIn
    return;
  }
  const expires = new Date(who.expiresAt).toISOString();
  if (options.json) {
    printJson({
      username: who.username,
      subject: who.subject,
      groups: who.groups,
      issuer: who.issuer,
      api: ctx.target.api,
      tokenExpiresAt: expires,
      canRefresh: who.canRefresh,
    });
    return;
  }
  const lines = [
    `user      ${who.username} (${who.subject})`,
    `groups    ${who.groups.length ? who.groups.join(', ') : '(none)'}`,
    `token     expires ${expires}${who.canRefresh ? ', refreshed automatically' : ''}`,
    `pool      ${who.issuer}`,
    `api       ${ctx.target.api}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
