/**
 * The web-identity credential vendor: after the same decision as the AssumeRole vendor, Tessera
 * (as an OIDC issuer) mints a 5-minute token for the verified user — the decision's session tags
 * and SourceIdentity in AWS's documented claims — and calls STS AssumeRoleWithWebIdentity with the
 * session policy, the session name and the duration. The call is unsigned (no broker credentials)
 * and is not role chaining, so the session may last up to the role's MaxSessionDuration.
 */
import { randomUUID } from 'node:crypto';
import {
  AssumeRoleWithWebIdentityCommand,
  type AssumeRoleWithWebIdentityCommandOutput,
  type STSClient,
} from '@aws-sdk/client-sts';
import type { Clock } from '../clock.js';
import { VendError } from '../errors.js';
import type { SigningKeys } from '../oidc-issuer.js';
import type { CredentialVendor } from '../ports.js';
import { SignerError } from '../signer.js';
import type { AssumeRoleParams, VendedCredentials, VerifiedToken } from '../types.js';
import { type MintedToken, mintWebIdentityToken } from '../web-identity-token.js';
import { createStsClient, stsFault, vendedFrom } from './sts.js';

export interface WebIdentityVendorOptions {
  /** The issuer's keys (a promise while KMS keys load at init). */
  readonly keys: SigningKeys | Promise<SigningKeys>;
  /** Tessera's issuer URL (`iss`). */
  readonly issuer: string;
  /** The IAM OIDC provider's client id (`aud`). */
  readonly audience: string;
  readonly clock: Clock;
  /** A ready client (tests, local stack); otherwise one is created (no credentials needed). */
  readonly client?: STSClient;
  readonly region?: string;
  readonly endpoint?: string;
  readonly maxAttempts?: number;
  /** Per attempt, as StsVendorOptions' (default 1500). */
  readonly requestTimeoutMs?: number;
  readonly retryAfterSeconds?: number;
  /** Token ids; default random UUIDs. */
  readonly newJti?: () => string;
}

export class WebIdentityCredentialVendor implements CredentialVendor {
  readonly #options: WebIdentityVendorOptions;
  readonly #client: STSClient;
  readonly #retryAfter: number;

  constructor(options: WebIdentityVendorOptions) {
    this.#options = options;
    this.#retryAfter = options.retryAfterSeconds ?? 2;
    this.#client =
      options.client ??
      createStsClient({
        region: options.region,
        endpoint: options.endpoint,
        maxAttempts: options.maxAttempts,
        requestTimeoutMs: options.requestTimeoutMs,
      });
  }

  /** Mints the token for `token`'s user and exchanges it. Throws VendError. */
  async assumeRole(params: AssumeRoleParams, token: VerifiedToken): Promise<VendedCredentials> {
    const minted = await this.#mint(params, token);
    let out: AssumeRoleWithWebIdentityCommandOutput;
    try {
      out = await this.#client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: params.RoleArn,
          RoleSessionName: params.RoleSessionName,
          WebIdentityToken: minted.token,
          DurationSeconds: params.DurationSeconds,
          Policy: params.Policy,
        }),
      );
    } catch (err) {
      throw stsFault(err, 'AssumeRoleWithWebIdentity', this.#retryAfter);
    }
    return { ...vendedFrom(out), webIdentityTokenId: minted.jti };
  }

  async #mint(params: AssumeRoleParams, token: VerifiedToken): Promise<MintedToken> {
    const now = this.#options.clock.now();
    try {
      const keys = await this.#options.keys;
      return await mintWebIdentityToken(keys.active(now), {
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        userPoolId: token.userPoolId,
        subject: token.subject,
        tags: params.Tags,
        transitiveTagKeys: params.TransitiveTagKeys,
        sourceIdentity: params.SourceIdentity,
        now,
        jti: (this.#options.newJti ?? randomUUID)(),
      });
    } catch (err) {
      if (!(err instanceof SignerError)) throw err;
      throw new VendError('StsUnavailable', `web-identity token not signed: ${err.code}`, {
        cause: err,
        retryAfterSeconds: this.#retryAfter,
      });
    }
  }
}
