/**
 * @tessera/client: the Tessera API from the browser or Node. No Node-only import here: Node's file
 * storage is on `@tessera/client/node`, the AWS SDK provider on `@tessera/client/credentials`.
 */
export { TesseraApi, type TesseraApiOptions } from './api.js';
export {
  type CachedCredentials,
  type CacheKeyParts,
  CredentialCache,
  type CredentialCacheOptions,
  credentialCacheKey,
} from './credential-cache.js';
export * from './errors.js';
export { canonicalJson, sha256Hex } from './hash.js';
export type { Fetch, FetchInit, FetchResponse } from './http.js';
export { unverifiedClaims } from './jwt.js';
export {
  type AuthorizationRequest,
  authorizationRequest,
  completeAuthorization,
  type PoolConfig,
  passwordLogin,
  refreshTokens,
} from './pool.js';
export { type Identity, identityOf, Session, type SessionOptions } from './session.js';
export { SingleFlight } from './single-flight.js';
export { type KeyValueStorage, MemoryStorage, WebStorage, type WebStorageLike } from './storage.js';
export type * from './types.js';
