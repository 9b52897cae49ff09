/**
 * S3's error answers as data: a stable `code` (S3's own error code, never renamed), the HTTP status
 * S3 sends with it, its message, and the extra elements S3 adds to `<Error>` for that code
 * (`<Key>`, `<BucketName>`, `<RangeRequested>`, ...). `S3Error` carries one through the handler.
 */
export const S3_ERROR_CODES = [
  'AccessDenied',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'BadDigest',
  'CORSResponse',
  'BadRequest',
  'EntityTooLarge',
  'EntityTooSmall',
  'ExpiredToken',
  'IncompleteBody',
  'InternalError',
  'InvalidAccessKeyId',
  'InvalidArgument',
  'InvalidChunkSizeError',
  'InvalidDigest',
  'InvalidPart',
  'InvalidPartOrder',
  'InvalidRange',
  'InvalidRequest',
  'InvalidToken',
  'KeyTooLongError',
  'MalformedXML',
  'MethodNotAllowed',
  'MissingContentLength',
  'MissingSecurityHeader',
  'NoSuchBucket',
  'NoSuchKey',
  'NoSuchUpload',
  'NotImplemented',
  'PreconditionFailed',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  'XAmzContentSHA256Mismatch',
] as const;

export type S3ErrorCode = (typeof S3_ERROR_CODES)[number];

const KNOWN: ReadonlySet<string> = new Set(S3_ERROR_CODES);

/** A wire code from elsewhere (the SigV4 verifier's S3 table) narrowed to the union. */
export function isS3ErrorCode(code: string): code is S3ErrorCode {
  return KNOWN.has(code);
}

export class S3Error extends Error {
  override readonly name = 'S3Error';

  constructor(
    readonly code: S3ErrorCode,
    readonly status: number,
    message: string,
    /** Extra `<Error>` children, in order (S3 adds e.g. `Key`, `BucketName`, `Expires`). */
    readonly details: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** The errors S3 answers with fixed wording, by code. */
export const s3Errors = {
  accessDenied: () => new S3Error('AccessDenied', 403, 'Access Denied'),
  noSuchBucket: (bucket: string) =>
    new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', {
      BucketName: bucket,
    }),
  noSuchKey: (key: string) =>
    new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }),
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    ),
  badDigest: (what: string) =>
    new S3Error(
      'BadDigest',
      400,
      `The ${what} you specified did not match the calculated checksum.`,
    ),
  invalidArgument: (message: string, name: string, value: string) =>
    new S3Error('InvalidArgument', 400, message, { ArgumentName: name, ArgumentValue: value }),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', 400, message),
  malformedXml: () =>
    new S3Error(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  signatureDoesNotMatch: () =>
    new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ),
  incompleteBody: () =>
    new S3Error(
      'IncompleteBody',
      400,
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    ),
  internal: () =>
    new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.'),
} as const;
