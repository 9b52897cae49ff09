/**
 * The STS credential vendor: AssumeRole through `@aws-sdk/client-sts`, with the exact parameters
 * the decision chose. Throttling is retried by the SDK's standard retry strategy (exponential
 * backoff with full jitter, `maxAttempts` tries); throttling past the retries becomes
 * `StsThrottled` (503 + Retry-After), AccessDenied becomes `StsAccessDenied` (a deny), and the
 * other STS faults get their own codes.
 */
import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  type Credentials,
  STSClient,
  type STSClientConfig,
} from '@aws-sdk/client-sts';
import { VendError } from '../errors.js';
import type { CredentialVendor } from '../ports.js';
import type { AssumeRoleParams, VendedCredentials } from '../types.js';

export type AwsCredentials = STSClientConfig['credentials'];

export interface StsVendorOptions {
  /** A ready client (tests, local stack); otherwise one is created from the options below. */
  readonly client?: STSClient;
  readonly region?: string;
  /** Endpoint override; `AWS_ENDPOINT_URL_STS` is honoured by the SDK itself when this is absent. */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  /** Tries per call, first included. Default 4. */
  readonly maxAttempts?: number;
  /**
   * Milliseconds one attempt may take (connect, and the whole answer); a slower STS is a failed
   * attempt (retried, then `StsUnavailable`), never a request held until the Lambda timeout.
   * Default 1500.
   */
  readonly requestTimeoutMs?: number;
  /** Seconds answered as Retry-After when throttled past the retries. Default 2. */
  readonly retryAfterSeconds?: number;
}

export function createStsClient(
  options: Omit<StsVendorOptions, 'client' | 'retryAfterSeconds'>,
): STSClient {
  return new STSClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 4,
    requestHandler: {
      connectionTimeout: options.requestTimeoutMs ?? 1500,
      requestTimeout: options.requestTimeoutMs ?? 1500,
      // without it the handler only warns and keeps waiting
      throwOnRequestTimeout: true,
    },
  });
}

/** How much of STS's error message an audit event keeps. */
const STS_MESSAGE_CHARS = 400;

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

export class StsCredentialVendor implements CredentialVendor {
  readonly #client: STSClient;
  readonly #retryAfter: number;

  constructor(options: StsVendorOptions = {}) {
    this.#client = options.client ?? createStsClient(options);
    this.#retryAfter = options.retryAfterSeconds ?? 2;
  }

  async assumeRole(params: AssumeRoleParams): Promise<VendedCredentials> {
    let out: AssumeRoleCommandOutput;
    try {
      out = await this.#client.send(
        new AssumeRoleCommand({
          RoleArn: params.RoleArn,
          RoleSessionName: params.RoleSessionName,
          DurationSeconds: params.DurationSeconds,
          Policy: params.Policy,
          Tags:
            params.Tags.length > 0
              ? params.Tags.map((t) => ({ Key: t.Key, Value: t.Value }))
              : undefined,
          TransitiveTagKeys:
            params.TransitiveTagKeys.length > 0 ? [...params.TransitiveTagKeys] : undefined,
          SourceIdentity: params.SourceIdentity,
          ExternalId: params.ExternalId,
        }),
      );
    } catch (err) {
      throw stsFault(err, 'AssumeRole', this.#retryAfter);
    }
    return vendedFrom(out);
  }
}

/** The session an AssumeRole* answer carries; an answer without credentials is STS failing. */
export function vendedFrom(out: {
  readonly Credentials?: Credentials | undefined;
  readonly AssumedRoleUser?: { readonly Arn?: string | undefined } | undefined;
  readonly $metadata: { readonly requestId?: string | undefined };
}): VendedCredentials {
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw new VendError('StsUnavailable', 'STS answered without credentials');
  }
  return {
    credentials: {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration).toISOString(),
    },
    assumedRoleArn: out.AssumedRoleUser?.Arn ?? '',
    requestId: out.$metadata.requestId ?? '',
  };
}

/**
 * An STS fault as a VendError: throttling past the SDK's retries -> StsThrottled (503 +
 * Retry-After); AccessDenied -> StsAccessDenied (a deny); the web-identity faults (our token
 * refused: InvalidIdentityToken, IDPRejectedClaim, ExpiredTokenException of the token) ->
 * StsRequestRejected; IDPCommunicationError (STS could not read our JWKS) -> StsUnavailable; the
 * rest by their own codes. Classified by the SDK's error name, never by message text.
 */
export function stsFault(err: unknown, operation: string, retryAfterSeconds: number): VendError {
  const name = (err as { name?: string }).name ?? '';
  // STS's own words (which principal, which role, which condition) are the reason an operator
  // reads in the audit event; the caller's answer comes from the code table, never from this.
  const said = (err as { message?: unknown }).message;
  const reason =
    typeof said === 'string' && said !== '' ? `: ${said.slice(0, STS_MESSAGE_CHARS)}` : '';
  const message = `STS ${operation} failed: ${name}${reason}`;
  if (THROTTLING.has(name)) {
    return new VendError('StsThrottled', message, { cause: err, retryAfterSeconds });
  }
  switch (name) {
    case 'AccessDenied':
    case 'AccessDeniedException':
      return new VendError('StsAccessDenied', message, { cause: err });
    case 'RegionDisabledException':
      return new VendError('StsRegionDisabled', message, { cause: err });
    case 'ExpiredTokenException':
    case 'ExpiredToken':
      // AssumeRole: the broker's own credentials; AssumeRoleWithWebIdentity: the token we minted.
      return operation === 'AssumeRole'
        ? new VendError('StsCredentialsExpired', message, { cause: err })
        : new VendError('StsRequestRejected', message, { cause: err });
    case 'PackedPolicyTooLargeException':
      return new VendError('StsLimitExceeded', message, { cause: err });
    case 'MalformedPolicyDocumentException':
    case 'ValidationError':
    case 'InvalidIdentityTokenException':
    case 'IDPRejectedClaimException':
      return new VendError('StsRequestRejected', message, { cause: err });
    default:
      return new VendError('StsUnavailable', message, { cause: err, retryAfterSeconds });
  }
}
