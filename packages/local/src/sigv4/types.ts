/**
 * The verifier's inputs and answers. The ok answer carries what a streaming payload needs
 * (signing key, seed signature, scope) so the S3 endpoint can check `aws-chunked` chunks.
 */
import type { Caller, CredentialLookup } from '../sts/sessions.js';

/**
 * The signing name of the service (`sts`, `iam`, `s3`…). `s3` selects S3's path encoding, payload
 * forms and error codes; any other name the rules and Query-protocol codes of the other services.
 */
export type SigV4Service = string;

/** A request as received: nothing in it is trusted until `verifySigV4` says so. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as received (`req.url`), still percent-encoded. */
  readonly url: string;
  /** Header names in lower case; a repeated header as an array (`req.headersDistinct`). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * The whole body when it has been read (STS, IAM). `undefined` when the caller streams it (S3):
   * then a hex `payloadHash` in the answer is not checked here (`bodyVerified: false`) and the
   * caller must hash the body it reads and refuse on a mismatch.
   */
  readonly body?: Uint8Array;
}

/** Where the verifier finds the secret of an access key (the session registry is one). */
export interface CredentialSource {
  lookup(accessKeyId: string, unverifiedSessionToken: string | undefined): CredentialLookup;
}

export interface SigV4Options {
  readonly service: SigV4Service;
  readonly registry: CredentialSource;
  /** Epoch milliseconds; injected so tests can move time. */
  readonly now: () => number;
  /** When set, the credential scope must name this region. */
  readonly region?: string;
}

export interface SigV4Verified {
  readonly ok: true;
  readonly caller: Caller;
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: SigV4Service;
  /** `YYYYMMDD` of the credential scope. */
  readonly shortDate: string;
  /** `YYYYMMDDTHHMMSSZ`, from `X-Amz-Date`. */
  readonly amzDate: string;
  /** `<shortDate>/<region>/<service>/aws4_request` */
  readonly credentialScope: string;
  readonly signingKey: Uint8Array;
  /** The request's own signature (hex): the "previous signature" of the first chunk. */
  readonly seedSignature: string;
  /**
   * What the canonical request used as payload hash: the `x-amz-content-sha256` value
   * (hex digest, `UNSIGNED-PAYLOAD`, `STREAMING-…`) or the hash of the body when it was absent.
   */
  readonly payloadHash: string;
  /** True when this verifier hashed the given body and it equals a hex `payloadHash`. */
  readonly bodyVerified: boolean;
  /** Query-string (presigned URL) authentication rather than an Authorization header. */
  readonly presigned: boolean;
}

/** Why a request was refused: stable, protocol-neutral. The wire code is derived per service. */
export type SigV4Reason =
  | 'missing-authentication'
  | 'malformed-authorization'
  | 'malformed-query-authorization'
  | 'invalid-expires'
  | 'unknown-access-key'
  | 'invalid-session-token'
  | 'expired-session-token'
  | 'request-time-skewed'
  | 'presigned-url-expired'
  | 'presigned-url-not-yet-valid'
  | 'wrong-region'
  | 'wrong-service'
  | 'wrong-scope-date'
  | 'missing-content-sha256'
  | 'invalid-content-sha256'
  | 'content-sha256-mismatch'
  | 'signature-mismatch';

export interface SigV4Failure {
  readonly ok: false;
  readonly reason: SigV4Reason;
  /** The code the service answers on the wire (`SignatureDoesNotMatch`, `InvalidAccessKeyId`…). */
  readonly code: string;
  readonly status: number;
  readonly message: string;
}

export type SigV4Result = SigV4Verified | SigV4Failure;
