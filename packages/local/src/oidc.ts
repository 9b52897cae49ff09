/**
 * Tessera's own OIDC issuer in the local stack (the web-identity vendor). The issuer URL is a
 * stable name under the reserved `.localhost` domain, so role trust policies in the config can
 * name its provider (`arn:aws:iam::<acct>:oidc-provider/tessera.localhost`) whatever port the
 * API gets; the local STS fetches `<issuer>/.well-known/*` from the local API, which serves them.
 * The provider is registered in every configured account, as the deployment creates it in the
 * broker's account and the cross-account template in each target account.
 */
import { FileKeyRing } from '@tessera/broker/file-signer';
import { type OidcProviderEntry, OidcProviders } from './sts/oidc-providers.js';
import type { LocalConfig } from './types.js';

export const LOCAL_OIDC_ISSUER = 'https://tessera.localhost';
export const LOCAL_OIDC_AUDIENCE = 'sts.amazonaws.com';

export interface LocalOidc {
  readonly keys: FileKeyRing;
  readonly providers: OidcProviders;
  /** The functions' environment for the issuer. */
  readonly env: Record<string, string>;
}

/** The key file under `<home>/keys/`, and the providers the local STS trusts. */
export function localOidc(
  home: string,
  config: LocalConfig,
  apiUrl: () => string,
  now: Date,
): LocalOidc {
  const keys = FileKeyRing.open(home, now);
  const entries: OidcProviderEntry[] = config.accounts.map((a) => ({
    issuer: LOCAL_OIDC_ISSUER,
    account: a.id,
    clientIds: [LOCAL_OIDC_AUDIENCE],
    servedAt: apiUrl,
  }));
  return {
    keys,
    providers: new OidcProviders(entries),
    env: { TESSERA_OIDC_ISSUER: LOCAL_OIDC_ISSUER, TESSERA_OIDC_AUDIENCE: LOCAL_OIDC_AUDIENCE },
  };
}
