/**
 * What a command works with: the target (settings.ts), the signed-in session (tokens in the user's
 * config directory, 0600), the API client, and the credential cache (the user's cache directory).
 */
import { join } from 'node:path';
import { CredentialCache, Session, TesseraApi } from '@tessera/client';
import { FileStorage, nodeFetch } from '@tessera/client/node';
import { dirs, resolveTarget, sessionKey, type Target } from './settings.js';

export interface GlobalOptions {
  readonly api?: string;
  readonly profile?: string;
  readonly json?: boolean;
}

export interface Context {
  readonly target: Target;
  readonly session: Session;
  readonly api: TesseraApi;
  readonly cache: CredentialCache;
}

export function openContext(options: GlobalOptions): Context {
  const target = resolveTarget(options);
  const { config, cache } = dirs();
  const session = new Session({
    pool: target.pool,
    storage: new FileStorage(join(config, 'sessions')),
    key: sessionKey(target),
    fetch: nodeFetch,
  });
  return {
    target,
    session,
    api: new TesseraApi({ api: target.api, token: () => session.token(), fetch: nodeFetch }),
    cache: new CredentialCache({ storage: new FileStorage(join(cache, 'credentials')) }),
  };
}
