/**
 * The bytes of a write, verified as S3 verifies them before storing anything:
 * 1. the payload form the signature covered (`x-amz-content-sha256`): a SHA-256 of the body
 *    (checked by the SigV4 verifier, which was given the body), `UNSIGNED-PAYLOAD`, or one of the aws-chunked
 *    streaming forms, decoded here with every chunk signature (and the trailer signature) checked
 *    against the chain that starts at the request's own signature;
 * 2. `x-amz-decoded-content-length` against the decoded length;
 * 3. `Content-MD5` (InvalidDigest when malformed, BadDigest when different);
 * 4. the flexible checksum, from an `x-amz-checksum-*` header or the declared trailer (BadDigest).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { bytes, safeEqual } from '../http.js';
import { type SigV4Verified, trailerSignature, verifyChunkSignature } from '../sigv4/index.js';
import {
  algorithmOfHeader,
  type ChecksumAlgorithm,
  checksumOf,
  headerOf,
  md5Base64,
  parseAlgorithm,
  wellFormed,
} from './checksums.js';
import { type DecodedBody, decodeAwsChunked, STREAMING_MODES } from './chunked.js';
import { S3Error, s3Errors } from './errors.js';

/** What authentication established about how the payload was signed (the verifier's ok answer). */
export type PayloadSigning = Pick<
  SigV4Verified,
  'payloadHash' | 'bodyVerified' | 'seedSignature' | 'signingKey' | 'amzDate' | 'credentialScope'
>;

export interface VerifiedPayload {
  readonly data: Buffer;
  readonly checksum: { readonly algorithm: ChecksumAlgorithm; readonly value: string } | undefined;
}

export async function verifyPayload(
  raw: Buffer,
  headers: IncomingHttpHeaders,
  signing: PayloadSigning,
): Promise<VerifiedPayload> {
  const { data, trailers } = decodePayload(raw, headers, signing);
  const md5 = header(headers, 'content-md5');
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) {
      throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified was invalid.', {
        'Content-MD5': md5,
      });
    }
    if (md5Base64(bytes(data)) !== md5) {
      throw new S3Error(
        'BadDigest',
        400,
        'The Content-MD5 you specified did not match what we received.',
        {
          ExpectedDigest: md5,
          CalculatedDigest: md5Base64(bytes(data)),
        },
      );
    }
  }
  const given = declaredChecksum(headers, trailers);
  if (!given) return { data, checksum: undefined };
  if (!wellFormed(given.algorithm, given.value)) {
    throw s3Errors.invalidRequest(`Value for ${headerOf(given.algorithm)} header is invalid.`);
  }
  if ((await checksumOf(given.algorithm, bytes(data))) !== given.value) {
    throw s3Errors.badDigest(given.algorithm.toLowerCase() === 'crc32' ? 'CRC32' : given.algorithm);
  }
  return { data, checksum: given };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function decodePayload(
  raw: Buffer,
  headers: IncomingHttpHeaders,
  signing: PayloadSigning,
): { data: Buffer; trailers: readonly (readonly [string, string])[] } {
  const hash = signing.payloadHash;
  if (hash === 'UNSIGNED-PAYLOAD') return { data: raw, trailers: [] };
  if (/^[0-9a-f]{64}$/.test(hash)) {
    // The verifier hashed the body it was given (XAmzContentSHA256Mismatch is its answer); a
    // hex hash it did not check is never taken on trust.
    if (!signing.bodyVerified) throw s3Errors.internal();
    return { data: raw, trailers: [] };
  }
  const mode = STREAMING_MODES[hash];
  if (mode === undefined) {
    throw s3Errors.invalidArgument(
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      'x-amz-content-sha256',
      hash,
    );
  }
  const declared = header(headers, 'x-amz-decoded-content-length');
  if (declared === undefined || !/^\d+$/.test(declared)) {
    throw new S3Error(
      'MissingContentLength',
      411,
      'You must provide the Content-Length HTTP header.',
    );
  }
  const decoded = decodeAwsChunked(raw, mode);
  if (!decoded.ok) {
    if (
      decoded.failure === 'MissingChunkSignature' ||
      decoded.failure === 'MissingTrailerSignature'
    )
      throw s3Errors.signatureDoesNotMatch();
    throw s3Errors.incompleteBody();
  }
  if (decoded.body.data.length !== Number(declared)) throw s3Errors.incompleteBody();
  if (mode !== 'unsigned-trailer') verifyChunkSignatures(decoded.body, signing);
  const expected = header(headers, 'x-amz-trailer')?.trim().toLowerCase();
  const names = decoded.body.trailers.map(([n]) => n);
  if (
    mode !== 'signed' &&
    (expected === undefined || names.length !== 1 || names[0] !== expected)
  ) {
    throw s3Errors.invalidRequest('The trailing header does not match the x-amz-trailer header.');
  }
  return { data: decoded.body.data, trailers: decoded.body.trailers };
}

/**
 * Each chunk's signature signs the previous one (the request's for the first) and the chunk's
 * hash; the trailer signature signs the last chunk signature and the trailing headers. The
 * signatures themselves are the SigV4 module's (`verifyChunkSignature`, `trailerSignature`).
 */
function verifyChunkSignatures(body: DecodedBody, signing: PayloadSigning): void {
  let previous = signing.seedSignature;
  for (const chunk of body.chunks) {
    const given = chunk.signature ?? '';
    if (!verifyChunkSignature(signing, previous, bytes(chunk.data), given)) {
      throw s3Errors.signatureDoesNotMatch();
    }
    previous = given;
  }
  if (body.trailerSignature === undefined) return;
  const canonicalTrailers = body.trailers.map(([n, v]) => `${n}:${v}\n`).join('');
  if (!safeEqual(trailerSignature(signing, previous, canonicalTrailers), body.trailerSignature)) {
    throw s3Errors.signatureDoesNotMatch();
  }
}

/** `x-amz-checksum-*` headers that are not a checksum value. */
const NOT_A_CHECKSUM = new Set([
  'x-amz-checksum-type',
  'x-amz-checksum-algorithm',
  'x-amz-checksum-mode',
]);

/** The one checksum the request declares, from a header or the trailer (two: InvalidRequest). */
function declaredChecksum(
  headers: IncomingHttpHeaders,
  trailers: readonly (readonly [string, string])[],
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const found: { algorithm: ChecksumAlgorithm; value: string }[] = [];
  for (const [name, value] of [...Object.entries(headers), ...trailers]) {
    if (NOT_A_CHECKSUM.has(name)) continue;
    const algorithm = algorithmOfHeader(name);
    if (algorithm === undefined) {
      if (name.startsWith('x-amz-checksum-')) {
        throw s3Errors.invalidRequest(`${name} is not a checksum S3 supports.`);
      }
      continue;
    }
    found.push({ algorithm, value: String(value) });
  }
  if (found.length > 1) {
    throw s3Errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const sdk = parseAlgorithm(header(headers, 'x-amz-sdk-checksum-algorithm'));
  if (found.length === 0 && sdk !== undefined) {
    throw s3Errors.invalidRequest(
      `x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.`,
    );
  }
  return found[0];
}
