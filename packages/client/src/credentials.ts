/**
 * `fromTessera()`: an AWS SDK for JavaScript v3 credential provider (Node and browser), in the
 * manner of `fromCognitoIdentityPool`. Each call answers from the cache while the credentials are
 * fresh (until `refreshBeforeSeconds` before expiry), else vends once for every concurrent caller;
 * the answer carries `expiration`, so the SDK calls again in time.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { TesseraApi } from './api.js';
import { CredentialCache, credentialCacheKey } from './credential-cache.js';
import type { Fetch } from './http.js';
import { unverifiedClaims } from './jwt.js';
import { type KeyValueStorage, MemoryStorage } from './storage.js';
import type { PolicyDocument } from './types.js';

export interface FromTesseraOptions {
  /** The Tessera API's base URL. */
  readonly api: string;
  /** Binding id (preferred) or role ARN. */
  readonly role: string;
  readonly durationSeconds?: number;
  /** A scope-down session policy (only for bindings without their own session policy). */
  readonly policy?: PolicyDocument;
  /** A valid Cognito token, e.g. from Amplify's `fetchAuthSession()` or `Session.token()`. */
  readonly token: () => Promise<string>;
  /** Where vended credentials are kept; default in memory. */
  readonly storage?: KeyValueStorage;
  readonly refreshBeforeSeconds?: number;
  readonly fetch?: Fetch;
}

export function fromTessera(options: FromTesseraOptions): AwsCredentialIdentityProvider {
  const api = new TesseraApi({
    api: options.api,
    token: options.token,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const cache = new CredentialCache({
    storage: options.storage ?? new MemoryStorage(),
    ...(options.refreshBeforeSeconds !== undefined
      ? { refreshBeforeSeconds: options.refreshBeforeSeconds }
      : {}),
  });
  return async (): Promise<AwsCredentialIdentity> => {
    const token = await options.token();
    const claims = unverifiedClaims(token);
    const key = await credentialCacheKey({
      pool: String(claims.iss ?? ''),
      user: String(claims.sub ?? ''),
      role: options.role,
      durationSeconds: options.durationSeconds,
      policy: options.policy,
    });
    const { credentials } = await cache.get(key, async () => {
      const answer = await api.credentials({
        role: options.role,
        ...(options.durationSeconds !== undefined
          ? { durationSeconds: options.durationSeconds }
          : {}),
        ...(options.policy ? { policy: options.policy } : {}),
      });
      return answer.credentials;
    });
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: new Date(credentials.expiration),
    };
  };
}
