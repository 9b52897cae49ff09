/**
 * Where the local S3 keeps objects: under `<home>/s3/`, one directory per bucket.
 *
 *   <bucket>/objects/<sha256(key)>.json   the object's metadata (key, size, ETag, headers, checksum, data file)
 *   <bucket>/data/<uuid>                  the bytes of one version of one object
 *   <bucket>/uploads/<uploadId>/          a multipart upload: upload.json, <n>.part + <n>.json per part
 *   tmp/                                  files being written
 *
 * Atomic: bytes and metadata are written to tmp/ and renamed into place; an object changes when its
 * metadata file is renamed over the old one (the old data file is removed after). The metadata of
 * every object and upload is indexed in memory at open; the index is what lists and lookups read.
 */

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { bytes } from '../http.js';
import type { ChecksumAlgorithm } from './checksums.js';

export interface StoredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** base64, with `-<parts>` for a composite multipart checksum. */
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** The headers an object keeps from its upload. */
export interface ObjectHeaders {
  readonly contentType: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly cacheControl?: string;
  readonly expires?: string;
  /** `x-amz-meta-*`, names lower-cased without the prefix. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ObjectMeta extends ObjectHeaders {
  readonly key: string;
  readonly size: number;
  /** Hex MD5 (single PUT) or `<hex>-<parts>`, without quotes. */
  readonly etag: string;
  readonly lastModified: string;
  readonly checksum: StoredChecksum | undefined;
  readonly partCount: number | undefined;
  /** The data file's name under `<bucket>/data/`. */
  readonly dataFile: string;
}

export interface UploadMeta extends ObjectHeaders {
  readonly uploadId: string;
  readonly key: string;
  readonly initiated: string;
  readonly checksumAlgorithm: ChecksumAlgorithm | undefined;
  readonly checksumType: 'FULL_OBJECT' | 'COMPOSITE' | undefined;
}

export interface PartMeta {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly checksum: string | undefined;
  readonly lastModified: string;
}

export interface ListInput {
  readonly prefix: string;
  readonly delimiter: string | undefined;
  /** List keys after this one (the continuation token's key, or StartAfter). */
  readonly after: string | undefined;
  readonly maxKeys: number;
}

export interface ListOutput {
  readonly contents: readonly ObjectMeta[];
  readonly commonPrefixes: readonly string[];
  /** The last key or prefix returned when truncated. */
  readonly next: string | undefined;
}

interface BucketState {
  readonly dir: string;
  readonly objects: Map<string, ObjectMeta>;
  readonly uploads: Map<string, { meta: UploadMeta; parts: Map<number, PartMeta> }>;
}

const UPLOAD_ID = /^[A-Za-z0-9_-]{43}$/;
const keyFile = (key: string) => `${createHash('sha256').update(key).digest('hex')}.json`;
/** S3 orders keys by their UTF-8 bytes. */
const byUtf8 = (a: string, b: string) =>
  Buffer.compare(bytes(Buffer.from(a)), bytes(Buffer.from(b)));

export class ObjectStore {
  private readonly buckets = new Map<string, BucketState>();
  private readonly tmp: string;

  constructor(root: string, bucketNames: readonly string[]) {
    this.tmp = join(root, 'tmp');
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true, mode: 0o700 });
    for (const name of bucketNames) this.buckets.set(name, loadBucket(join(root, 'buckets', name)));
  }

  head(bucket: string, key: string): ObjectMeta | undefined {
    return this.state(bucket).objects.get(key);
  }

  /** Opens the object's bytes (the range is inclusive); the file is opened now, read later. */
  open(bucket: string, meta: ObjectMeta, range?: { start: number; end: number }): Readable {
    const fd = openSync(join(this.state(bucket).dir, 'data', meta.dataFile), 'r');
    return createReadStream('', { fd, ...(range ?? {}) });
  }

  async put(
    bucket: string,
    meta: Omit<ObjectMeta, 'dataFile' | 'lastModified'>,
    data: Buffer,
    now: Date,
  ): Promise<ObjectMeta> {
    const b = this.state(bucket);
    const dataFile = randomUUID();
    const tmp = join(this.tmp, `${dataFile}.data`);
    await writeFile(tmp, bytes(data), { mode: 0o600 });
    renameSync(tmp, join(b.dir, 'data', dataFile));
    return this.commit(b, { ...meta, dataFile, lastModified: now.toISOString() });
  }

  /** Moves a finished data file (from `tmpPath()`) into place as the object's bytes. */
  adopt(
    bucket: string,
    tmpFile: string,
    meta: Omit<ObjectMeta, 'dataFile' | 'lastModified'>,
    now: Date,
  ): ObjectMeta {
    const b = this.state(bucket);
    const dataFile = randomUUID();
    renameSync(tmpFile, join(b.dir, 'data', dataFile));
    return this.commit(b, { ...meta, dataFile, lastModified: now.toISOString() });
  }

  tmpPath(): string {
    return join(this.tmp, `${randomBytes(12).toString('hex')}.tmp`);
  }

  /** The switch: metadata renamed over the old, index updated, old bytes removed. */
  private commit(b: BucketState, meta: ObjectMeta): ObjectMeta {
    const tmpMeta = this.tmpPath();
    writeFileSync(tmpMeta, JSON.stringify(meta), { mode: 0o600 });
    renameSync(tmpMeta, join(b.dir, 'objects', keyFile(meta.key)));
    const old = b.objects.get(meta.key);
    b.objects.set(meta.key, meta);
    if (old) void rm(join(b.dir, 'data', old.dataFile), { force: true });
    return meta;
  }

  delete(bucket: string, key: string): void {
    const b = this.state(bucket);
    const old = b.objects.get(key);
    if (!old) return;
    rmSync(join(b.dir, 'objects', keyFile(key)), { force: true });
    b.objects.delete(key);
    void rm(join(b.dir, 'data', old.dataFile), { force: true });
  }

  list(bucket: string, input: ListInput): ListOutput {
    const objects = this.state(bucket).objects;
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.prefix)).sort(byUtf8);
    const contents: ObjectMeta[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    const after = (v: string) => input.after === undefined || byUtf8(v, input.after) > 0;
    for (const key of keys) {
      if (!after(key)) continue;
      const cut = input.delimiter ? key.indexOf(input.delimiter, input.prefix.length) : -1;
      const entry = cut < 0 ? key : key.slice(0, cut + input.delimiter!.length);
      if (cut >= 0 && (prefixes.at(-1) === entry || !after(entry))) continue;
      if (contents.length + prefixes.length >= input.maxKeys) {
        return { contents, commonPrefixes: prefixes, next: last };
      }
      if (cut < 0) contents.push(objects.get(key)!);
      else prefixes.push(entry);
      last = entry;
    }
    return { contents, commonPrefixes: prefixes, next: undefined };
  }

  // -- multipart ------------------------------------------------------------------------------

  createUpload(bucket: string, meta: Omit<UploadMeta, 'uploadId'>): UploadMeta {
    const b = this.state(bucket);
    const uploadId = randomBytes(32).toString('base64url');
    const full: UploadMeta = { ...meta, uploadId };
    const dir = join(b.dir, 'uploads', uploadId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.writeJson(join(dir, 'upload.json'), full);
    b.uploads.set(uploadId, { meta: full, parts: new Map() });
    return full;
  }

  upload(
    bucket: string,
    uploadId: string,
  ): { meta: UploadMeta; parts: ReadonlyMap<number, PartMeta> } | undefined {
    // Upload ids name directories: only ids this store made (base64url) are ever looked up.
    if (!UPLOAD_ID.test(uploadId)) return undefined;
    return this.state(bucket).uploads.get(uploadId);
  }

  async putPart(
    bucket: string,
    uploadId: string,
    part: Omit<PartMeta, 'lastModified'>,
    data: Buffer,
    now: Date,
  ): Promise<PartMeta> {
    const b = this.state(bucket);
    const tmp = this.tmpPath();
    await writeFile(tmp, bytes(data), { mode: 0o600 });
    const upload = b.uploads.get(uploadId);
    if (!upload) {
      await rm(tmp, { force: true });
      throw new UploadGoneError(uploadId);
    }
    const dir = join(b.dir, 'uploads', uploadId);
    const meta: PartMeta = { ...part, lastModified: now.toISOString() };
    renameSync(tmp, join(dir, `${part.partNumber}.part`));
    this.writeJson(join(dir, `${part.partNumber}.json`), meta);
    upload.parts.set(part.partNumber, meta);
    return meta;
  }

  partPath(bucket: string, uploadId: string, partNumber: number): string {
    return join(this.state(bucket).dir, 'uploads', uploadId, `${partNumber}.part`);
  }

  /** Forgets the upload and its parts (after Complete or on Abort). */
  removeUpload(bucket: string, uploadId: string): void {
    const b = this.state(bucket);
    b.uploads.delete(uploadId);
    rmSync(join(b.dir, 'uploads', uploadId), { recursive: true, force: true });
  }

  private writeJson(path: string, value: unknown): void {
    const tmp = this.tmpPath();
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    renameSync(tmp, path);
  }

  private state(bucket: string): BucketState {
    const b = this.buckets.get(bucket);
    if (!b) throw new Error(`bucket ${bucket} is not configured`); // callers check first
    return b;
  }
}

/** The upload was completed or aborted while a part was being written. */
export class UploadGoneError extends Error {
  override readonly name = 'UploadGoneError';
  constructor(readonly uploadId: string) {
    super(`upload ${uploadId} is gone`);
  }
}

function loadBucket(dir: string): BucketState {
  for (const sub of ['objects', 'data', 'uploads']) {
    mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
  }
  const objects = new Map<string, ObjectMeta>();
  for (const f of readdirSync(join(dir, 'objects'))) {
    if (!f.endsWith('.json')) continue;
    const meta = JSON.parse(readFileSync(join(dir, 'objects', f), 'utf8')) as ObjectMeta;
    objects.set(meta.key, meta);
  }
  const uploads = new Map<string, { meta: UploadMeta; parts: Map<number, PartMeta> }>();
  for (const id of readdirSync(join(dir, 'uploads'))) {
    const up = join(dir, 'uploads', id);
    if (!existsSync(join(up, 'upload.json'))) continue;
    const meta = JSON.parse(readFileSync(join(up, 'upload.json'), 'utf8')) as UploadMeta;
    const parts = new Map<number, PartMeta>();
    for (const f of readdirSync(up)) {
      if (!/^\d+\.json$/.test(f)) continue;
      const part = JSON.parse(readFileSync(join(up, f), 'utf8')) as PartMeta;
      parts.set(part.partNumber, part);
    }
    uploads.set(id, { meta, parts });
  }
  return { dir, objects, uploads };
}
