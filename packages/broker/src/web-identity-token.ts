/**
 * The web-identity token: the short-lived JWT Tessera (as an OIDC issuer) mints for a verified user
 * and presents to STS AssumeRoleWithWebIdentity. Claims as AWS documents them for web identity
 * federation ("Passing session tags using AssumeRoleWithWebIdentity"):
 *
 * - `iss` Tessera's issuer URL, `aud` the configured audience (the IAM OIDC provider's client id);
 * - `sub` = `<user pool id>|<sub>`: unique across the pools Tessera trusts, and what a role's trust
 *   policy conditions on as `<provider>:sub`;
 * - `iat`/`nbf`/`exp`: 5 minutes; the token is used for one call, at once;
 * - `jti`: recorded in the audit event (the key that joins it to CloudTrail's request);
 * - `https://aws.amazon.com/tags`: `{principal_tags: {key: [value]}, transitive_tag_keys: [key]}`,
 *   only when the decision rendered tags;
 * - `https://aws.amazon.com/source_identity`: the rendered SourceIdentity.
 */
import { signJwt } from './jwt.js';
import type { Signer } from './signer.js';
import type { Tag } from './types.js';

/** Lifetime of a web-identity token: long enough for one STS call, short if it leaks. */
export const WEB_IDENTITY_TOKEN_SECONDS = 300;

export const AWS_TAGS_CLAIM = 'https://aws.amazon.com/tags';
export const AWS_SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';

export interface WebIdentityTokenInput {
  readonly issuer: string;
  readonly audience: string;
  readonly userPoolId: string;
  /** The verified `sub` of the caller's user-pool token. */
  readonly subject: string;
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity: string | undefined;
  readonly now: Date;
  readonly jti: string;
}

/** The `sub` claim: the pool and the user, joined by `|` (a character no pool id contains). */
export function webIdentitySubject(userPoolId: string, subject: string): string {
  return `${userPoolId}|${subject}`;
}

export function webIdentityClaims(input: WebIdentityTokenInput): Record<string, unknown> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    aud: input.audience,
    sub: webIdentitySubject(input.userPoolId, input.subject),
    iat,
    nbf: iat,
    exp: iat + WEB_IDENTITY_TOKEN_SECONDS,
    jti: input.jti,
  };
  if (input.tags.length > 0) {
    const principalTags: Record<string, string[]> = {};
    for (const tag of input.tags) principalTags[tag.Key] = [tag.Value];
    claims[AWS_TAGS_CLAIM] =
      input.transitiveTagKeys.length > 0
        ? { principal_tags: principalTags, transitive_tag_keys: [...input.transitiveTagKeys] }
        : { principal_tags: principalTags };
  }
  if (input.sourceIdentity !== undefined) claims[AWS_SOURCE_IDENTITY_CLAIM] = input.sourceIdentity;
  return claims;
}

export interface MintedToken {
  readonly token: string;
  readonly jti: string;
  readonly kid: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** Mints and signs the token. Throws SignerError. */
export async function mintWebIdentityToken(
  signer: Signer,
  input: WebIdentityTokenInput,
): Promise<MintedToken> {
  const claims = webIdentityClaims(input);
  return {
    token: await signJwt(signer, claims),
    jti: input.jti,
    kid: signer.kid,
    expiresAt: new Date((claims['exp'] as number) * 1000).toISOString(),
  };
}
