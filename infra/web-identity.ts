/**
 * Tessera as an OIDC identity provider (the web-identity vendor), as pure documents of the stage:
 *
 * - the issuer: `https://<webIdentity.domain>`, the API's custom domain (stable across API
 *   re-creation: every target role's trust names it), serving `/.well-known/*` from the vend
 *   function;
 * - the signing key: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY, never exported) under the
 *   alias `alias/<app>-<stage>-web-identity`; only the broker role may `kms:Sign` and
 *   `kms:GetPublicKey` with it (key policy and the broker's identity policy, by alias);
 * - the IAM OIDC provider for the issuer and audience, and the trust policy a target role carries:
 *   `sts:AssumeRoleWithWebIdentity` (+ TagSession, SetSourceIdentity) from that provider only, with
 *   conditions on `<issuer>:aud` and `<issuer>:sub`. `checkWebIdentityTrust` refuses a trust policy
 *   naming an OIDC provider without both conditions (the least-privilege tests run it on every
 *   synthesized trust policy).
 *
 * Thumbprint: IAM secures its connection to an OIDC provider's JWKS endpoint with its library of
 * trusted root CAs; only for a certificate not signed by one of those does it use the thumbprints
 * configured on the provider (UpdateOpenIDConnectProviderThumbprint, IAM API reference). API
 * Gateway custom domains use ACM certificates, issued by Amazon Trust Services, a trusted root; so
 * the provider is created without a thumbprint, and renewing the ACM certificate needs no change.
 */
import type { Stage, WebIdentityConfig } from './config.js';
import { prefix } from './naming.js';
import type { PolicyStatement, TrustPolicyDocument } from './permissions.js';

/** The stage's web-identity settings (validated by the configuration schema); null: none. */
export function webIdentityOf(stage: Stage): WebIdentityConfig | null {
  return stage.webIdentity ?? null;
}

export function issuerUrl(config: WebIdentityConfig): string {
  return `https://${config.domain}`;
}

/** `arn:aws:iam::<account>:oidc-provider/<domain>`: the principal target roles trust. */
export function oidcProviderArn(
  stage: Stage,
  config: WebIdentityConfig,
  account = stage.account,
): string {
  return `arn:${stage.partition}:iam::${account}:oidc-provider/${config.domain}`;
}

export function signingKeyAlias(stage: Stage): string {
  return `alias/${prefix(stage)}-web-identity`;
}

export const SIGNING_KEY_SPEC = 'ECC_NIST_P256';
export const KMS_SIGN_ACTIONS = ['kms:Sign', 'kms:GetPublicKey'] as const;

/** The broker role's grant: sign with the key behind the stage's alias, nothing else. */
export function signStatement(stage: Stage): PolicyStatement & {
  readonly Condition: Record<string, Record<string, string>>;
} {
  return {
    Sid: 'SignWebIdentityTokens',
    Effect: 'Allow',
    Action: [...KMS_SIGN_ACTIONS],
    Resource: [`arn:${stage.partition}:kms:${stage.region}:${stage.account}:key/*`],
    Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': signingKeyAlias(stage) } },
  };
}

/**
 * The key policy: the account administers the key (no use of it), the broker role signs with it.
 * Nobody can export it: KMS never exports an asymmetric private key.
 */
export function signingKeyPolicy(stage: Stage, brokerRole: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministers',
        Effect: 'Allow',
        Principal: { AWS: `arn:${stage.partition}:iam::${stage.account}:root` },
        Action: [
          'kms:Describe*',
          'kms:List*',
          'kms:Get*',
          'kms:Create*',
          'kms:Put*',
          'kms:Update*',
          'kms:Enable*',
          'kms:Disable*',
          'kms:TagResource',
          'kms:UntagResource',
          'kms:ScheduleKeyDeletion',
          'kms:CancelKeyDeletion',
        ],
        Resource: '*',
      },
      {
        Sid: 'VendFunctionSigns',
        Effect: 'Allow',
        Principal: { AWS: brokerRole },
        Action: [...KMS_SIGN_ACTIONS],
        Resource: '*',
      },
    ],
  };
}

/** The Cognito user pool part of `sub` (`<pool id>|<user sub>`) a target role accepts. */
export function webIdentityTrustPolicy(
  providerArn: string,
  config: WebIdentityConfig,
  subjectPattern: string,
): TrustPolicyDocument {
  const conditions = {
    StringEquals: { [`${config.domain}:aud`]: config.audience },
    StringLike: { [`${config.domain}:sub`]: subjectPattern },
  };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TesseraWebIdentity',
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity'],
        Condition: conditions,
      },
    ],
  };
}

/**
 * Problems of a trust policy that lets an OIDC provider in: every statement with a `Federated`
 * principal that is an IAM OIDC provider must condition on both `<provider>:aud` and
 * `<provider>:sub`, or any token of that issuer (any audience, any user) would be accepted.
 */
export function checkWebIdentityTrust(doc: unknown): string[] {
  const statements = ((doc as { Statement?: unknown })?.Statement ?? []) as Record<
    string,
    unknown
  >[];
  const problems: string[] = [];
  for (const [i, st] of (Array.isArray(statements) ? statements : [statements]).entries()) {
    const federated = (st['Principal'] as { Federated?: unknown } | undefined)?.Federated;
    for (const provider of [federated].flat()) {
      const key = /:oidc-provider\/(.+)$/.exec(String(provider ?? ''))?.[1];
      if (key === undefined) continue;
      const keys = Object.values(
        (st['Condition'] ?? {}) as Record<string, Record<string, unknown>>,
      ).flatMap((block) => Object.keys(block ?? {}));
      for (const claim of ['aud', 'sub']) {
        if (!keys.includes(`${key}:${claim}`)) {
          problems.push(
            `Statement[${i}] trusts ${provider} without a condition on ${key}:${claim}`,
          );
        }
      }
    }
  }
  return problems;
}
