/**
 * The object checksums S3 verifies: Content-MD5 and the flexible `x-amz-checksum-<algorithm>`
 * (CRC32, CRC32C, CRC64NVME, SHA1, SHA256), all base64 of the big-endian digest. The hashes come
 * from node; the CRCs from AWS's own implementations (`@aws-sdk/checksums`, what the JS SDK
 * computes them with; CRC32C and CRC64NVME pure JS).
 */
import { createHash } from 'node:crypto';
import { Crc32, Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { bytes } from '../http.js';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** `x-amz-checksum-crc32` → `CRC32`; undefined for anything else. */
export function algorithmOfHeader(header: string): ChecksumAlgorithm | undefined {
  const m = /^x-amz-checksum-([a-z0-9]+)$/.exec(header.toLowerCase());
  if (!m) return undefined;
  return CHECKSUM_ALGORITHMS.find((a) => a.toLowerCase() === m[1]);
}

export function headerOf(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** `CRC32` → `ChecksumCRC32` (the XML element and the SDK field). */
export function elementOf(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}

export function parseAlgorithm(raw: string | undefined): ChecksumAlgorithm | undefined {
  if (raw === undefined) return undefined;
  return CHECKSUM_ALGORITHMS.find((a) => a === raw.toUpperCase());
}

export interface Hasher {
  update(data: Uint8Array): void;
  /** The digest, base64 (as S3 shows it). */
  digest(): Promise<string>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

export function hasher(algorithm: ChecksumAlgorithm): Hasher {
  switch (algorithm) {
    case 'CRC32':
    case 'CRC32C':
    case 'CRC64NVME': {
      const c =
        algorithm === 'CRC32'
          ? new Crc32()
          : algorithm === 'CRC32C'
            ? new Crc32cJs()
            : new Crc64NvmeJs();
      return { update: (data) => c.update(data), digest: async () => b64(await c.digest()) };
    }
    case 'SHA1':
    case 'SHA256': {
      const h = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (data) => h.update(data), digest: async () => h.digest('base64') };
    }
  }
}

export async function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): Promise<string> {
  const h = hasher(algorithm);
  h.update(data);
  return h.digest();
}

/**
 * A multipart object's COMPOSITE checksum: the algorithm over the concatenated binary part
 * checksums, then `-<number of parts>`.
 */
export async function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  partChecksums: readonly string[],
): Promise<string> {
  const h = hasher(algorithm);
  for (const c of partChecksums) h.update(bytes(Buffer.from(c, 'base64')));
  return `${await h.digest()}-${partChecksums.length}`;
}

const DIGEST_BYTES: Readonly<Record<ChecksumAlgorithm, number>> = {
  CRC32: 4,
  CRC32C: 4,
  CRC64NVME: 8,
  SHA1: 20,
  SHA256: 32,
};

/** Is `value` the base64 of a digest of this algorithm's length? */
export function wellFormed(algorithm: ChecksumAlgorithm, value: string): boolean {
  return (
    /^[A-Za-z0-9+/]+={0,2}$/.test(value) &&
    Buffer.from(value, 'base64').length === DIGEST_BYTES[algorithm]
  );
}

export function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}
