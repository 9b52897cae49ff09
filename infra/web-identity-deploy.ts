/**
 * Deploys the web-identity vendor's resources from the pure documents of infra/web-identity.ts:
 * the KMS signing key (ECC_NIST_P256, SIGN_VERIFY) and its alias, and the IAM OIDC provider for
 * Tessera's issuer and audience (no thumbprint: see infra/web-identity.ts). Returns the functions'
 * TESSERA_OIDC_* environment and the provider (the example role depends on it: IAM checks that a
 * trust policy's principal exists).
 */
import type { Stage } from './config.js';
import { brokerRoleArn } from './naming.js';
import {
  issuerUrl,
  SIGNING_KEY_SPEC,
  signingKeyAlias,
  signingKeyPolicy,
  webIdentityOf,
} from './web-identity.js';

/** The instant the first key signs from: at once (it is published by the same deploy). */
const FIRST_KEY_SIGNS_FROM = '2000-01-01T00:00:00Z';

export interface WebIdentityResources {
  readonly environment: Record<string, $util.Input<string>>;
  readonly provider: aws.iam.OpenIdConnectProvider;
}

export function createWebIdentity(
  stage: Stage,
  brokerRole: aws.iam.Role,
): WebIdentityResources | null {
  const config = webIdentityOf(stage);
  if (config === null) return null;
  const key = new aws.kms.Key(
    'WebIdentityKey',
    {
      description: `Tessera (${stage.app}-${stage.name}) web-identity token signing key`,
      customerMasterKeySpec: SIGNING_KEY_SPEC,
      keyUsage: 'SIGN_VERIFY',
      policy: JSON.stringify(signingKeyPolicy(stage, brokerRoleArn(stage))),
      deletionWindowInDays: 30,
    },
    { dependsOn: [brokerRole], protect: stage.production },
  );
  new aws.kms.Alias('WebIdentityKeyAlias', {
    name: signingKeyAlias(stage),
    targetKeyId: key.keyId,
  });
  const provider = new aws.iam.OpenIdConnectProvider('WebIdentityProvider', {
    url: issuerUrl(config),
    clientIdLists: [config.audience],
  });
  return {
    provider,
    environment: {
      TESSERA_OIDC_ISSUER: issuerUrl(config),
      TESSERA_OIDC_AUDIENCE: config.audience,
      // Rotation: add a second key with signsFrom at least the JWKS cache lifetime (300 s) after
      // its deploy; remove the old one once that instant is 10 minutes past (key-rotation.ts).
      TESSERA_OIDC_KEYS: $jsonStringify([{ keyId: key.arn, signsFrom: FIRST_KEY_SIGNS_FROM }]),
    },
  };
}
