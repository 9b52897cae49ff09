/**
 * Signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` chunks and of the trailer of
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`, as S3 documents them: each chunk is signed over
 * the previous signature (the request's own signature for the first chunk), so chunks can be
 * neither reordered, dropped nor replaced. The aws-chunked framing is the S3 endpoint's; this
 * module only computes and compares.
 */
import { safeEqual } from '../http.js';
import { hmacHex, sha256Hex } from './key.js';
import type { SigV4Verified } from './types.js';

const EMPTY_SHA256 = sha256Hex('');

export type ChunkContext = Pick<SigV4Verified, 'signingKey' | 'amzDate' | 'credentialScope'>;

/** The signature a chunk of data must carry, given the signature before it. */
export function chunkSignature(
  context: ChunkContext,
  previousSignature: string,
  chunk: Uint8Array,
): string {
  const stringToSign = [
    'AWS4-HMAC-SHA256-PAYLOAD',
    context.amzDate,
    context.credentialScope,
    previousSignature,
    EMPTY_SHA256,
    sha256Hex(chunk),
  ].join('\n');
  return hmacHex(context.signingKey, stringToSign);
}

/** Constant-time check of a chunk's `chunk-signature`. */
export function verifyChunkSignature(
  context: ChunkContext,
  previousSignature: string,
  chunk: Uint8Array,
  unverifiedSignature: string,
): boolean {
  return safeEqual(chunkSignature(context, previousSignature, chunk), unverifiedSignature);
}

/**
 * The signature of the trailing headers (`x-amz-trailer-signature`): over the trailer lines as
 * sent (`name:value\n` each, names lower-case), chained to the last chunk's signature.
 */
export function trailerSignature(
  context: ChunkContext,
  previousSignature: string,
  canonicalTrailer: string,
): string {
  const stringToSign = [
    'AWS4-HMAC-SHA256-TRAILER',
    context.amzDate,
    context.credentialScope,
    previousSignature,
    sha256Hex(canonicalTrailer),
  ].join('\n');
  return hmacHex(context.signingKey, stringToSign);
}
