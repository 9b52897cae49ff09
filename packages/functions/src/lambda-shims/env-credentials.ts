/**
 * In a Lambda bundle, `@aws-sdk/credential-provider-node` (the SDK's default credential chain) is
 * this module: `infra/lambda-plugins.mjs` redirects the import. Every SDK client's runtime config
 * imports the chain's `defaultProvider` statically, so passing `credentials` to a client does not
 * let esbuild drop it (~100 KiB: SSO, OIDC, STS web identity, INI files, process, IMDS, HTTP).
 *
 * The Lambda runtime puts the execution role's credentials in the environment
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`): the first link of the
 * default chain, and the only one used there. No credentials in the environment is an error the
 * SDK raises at the first call (`CredentialsProviderError`): the call fails, never falls back.
 * Clients given `credentials` (the local stack, tests) never call this.
 */
import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/** The signature of the default chain's `defaultProvider`, reading the environment only. */
export const defaultProvider = (init: FromEnvInit = {}): ReturnType<typeof fromEnv> =>
  fromEnv(init);
