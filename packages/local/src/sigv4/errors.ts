/**
 * One table from a refusal's reason to what each protocol answers: STS and IAM (the Query
 * protocol) and S3 name the same failures differently, as AWS does. `detail` is the
 * reason-specific part of the message, built by the step that refused.
 */
import type { SigV4Failure, SigV4Reason, SigV4Service } from './types.js';

type Wire = readonly [code: string, status: number, message: (detail: string) => string];

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** STS and IAM: the wording their `<ErrorResponse>` carries. */
const QUERY: Record<SigV4Reason, Wire> = {
  'missing-authentication': [
    'MissingAuthenticationToken',
    403,
    () => 'Request is missing Authentication Token',
  ],
  'malformed-authorization': ['IncompleteSignature', 400, (d) => d],
  'malformed-query-authorization': ['IncompleteSignature', 400, (d) => d],
  'invalid-expires': ['IncompleteSignature', 400, (d) => d],
  'unknown-access-key': [
    'InvalidClientTokenId',
    403,
    () => 'The security token included in the request is invalid.',
  ],
  'invalid-session-token': [
    'InvalidClientTokenId',
    403,
    () => 'The security token included in the request is invalid.',
  ],
  'expired-session-token': [
    'ExpiredToken',
    403,
    () => 'The security token included in the request is expired',
  ],
  // STS and IAM answer a clock outside the 15-minute window with SignatureDoesNotMatch.
  'request-time-skewed': ['SignatureDoesNotMatch', 403, (d) => d],
  'presigned-url-expired': ['SignatureDoesNotMatch', 403, (d) => d],
  'presigned-url-not-yet-valid': ['SignatureDoesNotMatch', 403, (d) => d],
  'wrong-region': [
    'SignatureDoesNotMatch',
    403,
    (d) => `Credential should be scoped to a valid region, not '${d}'. `,
  ],
  'wrong-service': [
    'SignatureDoesNotMatch',
    403,
    (d) => `Credential should be scoped to correct service: '${d}'. `,
  ],
  'wrong-scope-date': [
    'SignatureDoesNotMatch',
    403,
    (d) =>
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ${d}`,
  ],
  'missing-content-sha256': ['IncompleteSignature', 400, (d) => d],
  'invalid-content-sha256': ['IncompleteSignature', 400, (d) => d],
  'content-sha256-mismatch': [
    'SignatureDoesNotMatch',
    403,
    () => 'The provided x-amz-content-sha256 header does not match the computed hash of the body.',
  ],
  'signature-mismatch': ['SignatureDoesNotMatch', 403, () => SIGNATURE_MISMATCH],
};

/** S3: the codes of its REST XML errors. */
const S3: Record<SigV4Reason, Wire> = {
  'missing-authentication': ['AccessDenied', 403, () => 'Access Denied'],
  'malformed-authorization': [
    'AuthorizationHeaderMalformed',
    400,
    (d) => `The authorization header is malformed; ${d}`,
  ],
  'malformed-query-authorization': ['AuthorizationQueryParametersError', 400, (d) => d],
  'invalid-expires': ['AuthorizationQueryParametersError', 400, (d) => d],
  'unknown-access-key': [
    'InvalidAccessKeyId',
    403,
    () => 'The AWS Access Key Id you provided does not exist in our records.',
  ],
  'invalid-session-token': [
    'InvalidToken',
    400,
    () => 'The provided token is malformed or otherwise invalid.',
  ],
  'expired-session-token': ['ExpiredToken', 400, () => 'The provided token has expired.'],
  'request-time-skewed': [
    'RequestTimeTooSkewed',
    403,
    () => 'The difference between the request time and the current time is too large.',
  ],
  'presigned-url-expired': ['AccessDenied', 403, () => 'Request has expired'],
  'presigned-url-not-yet-valid': ['AccessDenied', 403, () => 'Request is not valid yet'],
  'wrong-region': [
    'AuthorizationHeaderMalformed',
    400,
    (d) => `The authorization header is malformed; the region '${d}' is wrong`,
  ],
  'wrong-service': [
    'AuthorizationHeaderMalformed',
    400,
    (d) =>
      `The authorization header is malformed; incorrect service '${d}'. This endpoint belongs to 's3'.`,
  ],
  'wrong-scope-date': [
    'AuthorizationHeaderMalformed',
    400,
    () =>
      'The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.',
  ],
  'missing-content-sha256': [
    'InvalidRequest',
    400,
    () => 'Missing required header for this request: x-amz-content-sha256',
  ],
  'invalid-content-sha256': [
    'InvalidArgument',
    400,
    () =>
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
  ],
  'content-sha256-mismatch': [
    'XAmzContentSHA256Mismatch',
    400,
    () => "The provided 'x-amz-content-sha256' header does not match what was computed.",
  ],
  'signature-mismatch': [
    'SignatureDoesNotMatch',
    403,
    () =>
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ],
};

export function sigV4Failure(
  reason: SigV4Reason,
  service: SigV4Service,
  detail = '',
): SigV4Failure {
  const [code, status, message] = (service === 's3' ? S3 : QUERY)[reason];
  return { ok: false, reason, code, status, message: message(detail) };
}
