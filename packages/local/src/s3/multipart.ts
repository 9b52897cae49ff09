/**
 * Multipart uploads, as `aws s3 cp` and the SDKs' upload helpers drive them: Create, UploadPart
 * (1..10,000), Complete (parts ascending, each ETag as uploaded, every part but the last at least
 * 5 MiB; ETag = MD5 of the part MD5s + `-<n>`; the checksum COMPOSITE or FULL_OBJECT as declared
 * at Create), Abort, ListParts.
 */

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { bytes } from '../http.js';
import {
  type ChecksumAlgorithm,
  compositeChecksum,
  elementOf,
  hasher,
  headerOf,
  parseAlgorithm,
} from './checksums.js';
import { S3Error, s3Errors } from './errors.js';
import { objectHeaders, quoted, type S3Response } from './objects.js';
import type { VerifiedPayload } from './payload.js';
import {
  type ObjectStore,
  type PartMeta,
  type StoredChecksum,
  UploadGoneError,
  type UploadMeta,
} from './storage.js';
import { type CompletedPart, parseCompleteMultipartUpload, xmlDocument } from './xml.js';

const XML = 'application/xml';
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

interface At {
  readonly bucket: string;
  readonly key: string;
}

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function createMultipartUpload(
  store: ObjectStore,
  at: At,
  headers: IncomingHttpHeaders,
  now: Date,
): S3Response {
  const rawAlgorithm = one(headers, 'x-amz-checksum-algorithm');
  const algorithm = parseAlgorithm(rawAlgorithm);
  if (rawAlgorithm !== undefined && algorithm === undefined) {
    throw s3Errors.invalidRequest('Checksum algorithm provided is unsupported.');
  }
  const rawType = one(headers, 'x-amz-checksum-type')?.toUpperCase();
  if (rawType !== undefined && rawType !== 'COMPOSITE' && rawType !== 'FULL_OBJECT') {
    throw s3Errors.invalidRequest('Value for x-amz-checksum-type header is invalid.');
  }
  if (rawType !== undefined && algorithm === undefined) {
    throw s3Errors.invalidRequest(
      'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
    );
  }
  const type = algorithm === undefined ? undefined : (rawType ?? defaultType(algorithm));
  if (type === 'FULL_OBJECT' && (algorithm === 'SHA1' || algorithm === 'SHA256')) {
    throw s3Errors.invalidRequest(
      `The ${algorithm} checksum algorithm cannot be used with the FULL_OBJECT checksum type.`,
    );
  }
  if (type === 'COMPOSITE' && algorithm === 'CRC64NVME') {
    throw s3Errors.invalidRequest(
      'The CRC64NVME checksum algorithm cannot be used with the COMPOSITE checksum type.',
    );
  }
  const upload = store.createUpload(at.bucket, {
    key: at.key,
    initiated: now.toISOString(),
    checksumAlgorithm: algorithm,
    checksumType: type as UploadMeta['checksumType'],
    ...objectHeaders(headers),
  });
  const out: Record<string, string> = { 'content-type': XML };
  if (algorithm) {
    out['x-amz-checksum-algorithm'] = algorithm;
    out['x-amz-checksum-type'] = type!;
  }
  return {
    status: 200,
    headers: out,
    body: xmlDocument('InitiateMultipartUploadResult', {
      Bucket: at.bucket,
      Key: at.key,
      UploadId: upload.uploadId,
    }),
  };
}

/** S3's default when only the algorithm is given: CRC64NVME is full-object, the others composite. */
function defaultType(algorithm: ChecksumAlgorithm): 'COMPOSITE' | 'FULL_OBJECT' {
  return algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
}

function uploadOf(store: ObjectStore, at: At, uploadId: string) {
  const upload = store.upload(at.bucket, uploadId);
  if (!upload || upload.meta.key !== at.key) throw s3Errors.noSuchUpload(uploadId);
  return upload;
}

export async function uploadPart(
  store: ObjectStore,
  at: At & { uploadId: string; partNumber: string },
  payload: VerifiedPayload,
  now: Date,
): Promise<S3Response> {
  const n = Number(at.partNumber);
  if (!/^\d+$/.test(at.partNumber) || n < 1 || n > MAX_PARTS) {
    throw s3Errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      at.partNumber,
    );
  }
  const upload = uploadOf(store, at, at.uploadId);
  const algorithm = upload.meta.checksumAlgorithm;
  if (algorithm && payload.checksum?.algorithm !== algorithm) {
    throw s3Errors.invalidRequest(
      `The upload was created using a ${algorithm.toLowerCase()} checksum. The part request must include a checksum header of the same type.`,
    );
  }
  const etag = createHash('md5').update(bytes(payload.data)).digest('hex');
  try {
    await store.putPart(
      at.bucket,
      at.uploadId,
      { partNumber: n, size: payload.data.length, etag, checksum: payload.checksum?.value },
      payload.data,
      now,
    );
  } catch (err) {
    if (err instanceof UploadGoneError) throw s3Errors.noSuchUpload(at.uploadId);
    throw err;
  }
  const out: Record<string, string> = { etag: quoted(etag) };
  if (payload.checksum) out[headerOf(payload.checksum.algorithm)] = payload.checksum.value;
  return { status: 200, headers: out };
}

/** Checks the client's part list against the uploaded parts; the parts to join, in order. */
function selectParts(
  requested: readonly CompletedPart[],
  uploaded: ReadonlyMap<number, PartMeta>,
  algorithm: ChecksumAlgorithm | undefined,
): PartMeta[] {
  if (requested.length === 0) throw s3Errors.malformedXml();
  const invalidPart = () =>
    new S3Error(
      'InvalidPart',
      400,
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.",
    );
  const out: PartMeta[] = [];
  for (const [i, p] of requested.entries()) {
    if (i > 0 && p.partNumber <= requested[i - 1]!.partNumber) {
      throw new S3Error(
        'InvalidPartOrder',
        400,
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
      );
    }
    const part = uploaded.get(p.partNumber);
    if (!part || p.etag.replace(/"/g, '') !== part.etag) throw invalidPart();
    if (algorithm) {
      const given = p.checksums[elementOf(algorithm)];
      if (given !== undefined && given !== part.checksum) throw invalidPart();
    }
    out.push(part);
  }
  for (const part of out.slice(0, -1)) {
    if (part.size < MIN_PART_BYTES) {
      throw new S3Error(
        'EntityTooSmall',
        400,
        'Your proposed upload is smaller than the minimum allowed size',
        {
          ProposedSize: String(part.size),
          MinSizeAllowed: String(MIN_PART_BYTES),
        },
      );
    }
  }
  return out;
}

/**
 * Joins the parts into one new file (`tmp`), computing a FULL_OBJECT checksum on the way; the
 * object's checksum (full-object, or composite over the part checksums) when one was declared.
 */
async function assemble(
  store: ObjectStore,
  at: At & { uploadId: string },
  parts: readonly PartMeta[],
  declared: { algorithm?: ChecksumAlgorithm; type?: 'FULL_OBJECT' | 'COMPOSITE' },
  tmp: string,
): Promise<StoredChecksum | undefined> {
  const { algorithm, type } = declared;
  const full = algorithm && type === 'FULL_OBJECT' ? hasher(algorithm) : undefined;
  await pipeline(
    async function* () {
      for (const part of parts) {
        for await (const chunk of createReadStream(
          store.partPath(at.bucket, at.uploadId, part.partNumber),
        )) {
          full?.update(bytes(chunk as Buffer));
          yield chunk as Buffer;
        }
      }
    },
    createWriteStream(tmp, { mode: 0o600 }),
  );
  if (!algorithm || !type) return undefined;
  const value = full
    ? await full.digest()
    : await compositeChecksum(
        algorithm,
        parts.map((p) => p.checksum ?? ''),
      );
  return { algorithm, type, value };
}

export async function completeMultipartUpload(
  store: ObjectStore,
  at: At & { uploadId: string },
  headers: IncomingHttpHeaders,
  body: Buffer,
  location: string,
  now: Date,
): Promise<S3Response> {
  const requested = parseCompleteMultipartUpload(body.toString('utf8'));
  if (!requested) throw s3Errors.malformedXml();
  const upload = uploadOf(store, at, at.uploadId);
  const { uploadId: _id, initiated: _at, checksumAlgorithm, checksumType, ...kept } = upload.meta;
  const parts = selectParts(requested, upload.parts, checksumAlgorithm);
  const tmp = store.tmpPath();
  try {
    const declared = {
      ...(checksumAlgorithm ? { algorithm: checksumAlgorithm } : {}),
      ...(checksumType ? { type: checksumType } : {}),
    };
    const checksum = await assemble(store, at, parts, declared, tmp);
    // A FULL_OBJECT checksum the client computed over the whole object comes with Complete.
    const claimed = checksum ? one(headers, headerOf(checksum.algorithm)) : undefined;
    if (checksum && claimed !== undefined && claimed !== checksum.value) {
      throw s3Errors.badDigest(checksum.algorithm);
    }
    const md5s = Buffer.concat(parts.map((p) => bytes(Buffer.from(p.etag, 'hex'))));
    const etag = `${createHash('md5').update(bytes(md5s)).digest('hex')}-${parts.length}`;
    const size = parts.reduce((n, p) => n + p.size, 0);
    store.adopt(at.bucket, tmp, { ...kept, size, etag, checksum, partCount: parts.length }, now);
    store.removeUpload(at.bucket, at.uploadId);
    return {
      status: 200,
      headers: { 'content-type': XML },
      body: xmlDocument('CompleteMultipartUploadResult', {
        Location: location,
        Bucket: at.bucket,
        Key: at.key,
        ETag: quoted(etag),
        ...(checksum
          ? { [elementOf(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type }
          : {}),
      }),
    };
  } finally {
    await rm(tmp, { force: true });
  }
}

export function abortMultipartUpload(
  store: ObjectStore,
  at: At & { uploadId: string },
): S3Response {
  uploadOf(store, at, at.uploadId);
  store.removeUpload(at.bucket, at.uploadId);
  return { status: 204, headers: {} };
}

export function listParts(store: ObjectStore, at: At & { uploadId: string }): S3Response {
  const upload = uploadOf(store, at, at.uploadId);
  const parts = [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  const algorithm = upload.meta.checksumAlgorithm;
  return {
    status: 200,
    headers: { 'content-type': XML },
    body: xmlDocument('ListPartsResult', {
      Bucket: at.bucket,
      Key: at.key,
      UploadId: at.uploadId,
      PartNumberMarker: 0,
      NextPartNumberMarker: parts.at(-1)?.partNumber ?? 0,
      MaxParts: 1000,
      IsTruncated: false,
      ...(algorithm
        ? { ChecksumAlgorithm: algorithm, ChecksumType: upload.meta.checksumType }
        : {}),
      Part: parts.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified,
        ETag: quoted(p.etag),
        Size: p.size,
        ...(algorithm && p.checksum ? { [elementOf(algorithm)]: p.checksum } : {}),
      })),
    }),
  };
}
