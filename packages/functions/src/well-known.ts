/**
 * `GET /.well-known/openid-configuration` and `GET /.well-known/jwks.json`: Tessera's own OIDC
 * issuer, read by STS (AssumeRoleWithWebIdentity) and by IAM when the OIDC provider is created.
 * Public and cacheable (`Cache-Control: public, max-age=300`): a new key is published at least
 * that long before it signs (key-rotation.ts), so a cached JWKS always holds the signing key.
 * Without an issuer configured, both answer 404 RouteNotFound.
 */

import type { Clock } from '@tessera/broker';
import { discoveryDocument, jwksDocument, type SigningKeys } from '@tessera/broker';
import { HttpInputError } from './errors.js';
import { type HttpHandler, httpStack, json, type StackOptions } from './http.js';
import type { OidcConfig } from './oidc-config.js';

/** Seconds a verifier may cache the documents; a new key is published at least this early. */
export const WELL_KNOWN_MAX_AGE = 300;

export interface WellKnownHandlers {
  readonly openidConfiguration: HttpHandler;
  readonly jwks: HttpHandler;
}

export function wellKnownHandlers(
  oidc: OidcConfig | null,
  keys: Promise<SigningKeys> | null,
  clock: Clock,
  stack: Omit<StackOptions, 'jsonBody'>,
): WellKnownHandlers {
  const serve = (body: (k: SigningKeys, issuer: string) => unknown) =>
    httpStack(
      async () => {
        if (oidc === null || keys === null) {
          throw new HttpInputError('RouteNotFound', 'this deployment has no OIDC issuer');
        }
        return json(200, body(await keys, oidc.issuer));
      },
      { ...stack, jsonBody: false, cacheSeconds: WELL_KNOWN_MAX_AGE },
    );
  return {
    openidConfiguration: serve((k, issuer) => discoveryDocument(issuer, k.published(clock.now()))),
    jwks: serve((k) => jwksDocument(k.published(clock.now()))),
  };
}
