/**
 * SigV4 as the local STS, IAM and S3 verify it. `verifySigV4` decides from the request alone
 * (header or presigned-URL authentication); the chunk helpers serve S3's streaming uploads.
 */

export { canonicalHeaderValue, canonicalPath, canonicalQuery, uriEncode } from './canonical.js';
export {
  type ChunkContext,
  chunkSignature,
  trailerSignature,
  verifyChunkSignature,
} from './chunk.js';
export { sigV4Failure } from './errors.js';
export { MAX_EXPIRES_SECONDS } from './parse.js';
export type * from './types.js';
export { MAX_SKEW_MS, verifySigV4 } from './verify.js';
