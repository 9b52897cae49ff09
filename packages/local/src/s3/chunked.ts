/**
 * `Content-Encoding: aws-chunked` bodies, as the SDKs stream S3 uploads. Pure decoding of what
 * the client sent; verifying chunk signatures is the caller's (it holds the signing key).
 *
 * | x-amz-content-sha256                           | chunk header                    | after the 0 chunk                              |
 * |------------------------------------------------|---------------------------------|------------------------------------------------|
 * | STREAMING-AWS4-HMAC-SHA256-PAYLOAD             | `<hex>;chunk-signature=<sig>`   | CRLF                                           |
 * | STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER     | `<hex>;chunk-signature=<sig>`   | trailers, `x-amz-trailer-signature:<sig>`, CRLF |
 * | STREAMING-UNSIGNED-PAYLOAD-TRAILER             | `<hex>`                         | trailers, CRLF                                 |
 *
 * Each chunk's data is followed by CRLF; trailers are `name:value` lines (AWS documents CRLF;
 * a bare LF is accepted, as S3 does).
 */

import { bytes } from '../http.js';

export type StreamingMode = 'signed' | 'signed-trailer' | 'unsigned-trailer';

export const STREAMING_MODES: Readonly<Record<string, StreamingMode>> = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': 'signed',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': 'signed-trailer',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': 'unsigned-trailer',
};

export interface DecodedChunk {
  readonly data: Buffer;
  /** The chunk's `chunk-signature` (signed modes), lower-case hex. */
  readonly signature: string | undefined;
}

export interface DecodedBody {
  readonly data: Buffer;
  /** Every chunk, the final empty one included. */
  readonly chunks: readonly DecodedChunk[];
  /** Trailing headers, names lower-cased, in order. */
  readonly trailers: readonly (readonly [string, string])[];
  readonly trailerSignature: string | undefined;
}

export type DecodeFailure =
  | 'ChunkHeaderMalformed'
  | 'ChunkTooShort'
  | 'MissingChunkSignature'
  | 'TrailerMalformed'
  | 'MissingTrailerSignature';

export type DecodeResult =
  | { readonly ok: true; readonly body: DecodedBody }
  | { readonly ok: false; readonly failure: DecodeFailure };

const CRLF = Buffer.from('\r\n');
/** A chunk header line is short: size, `;chunk-signature=`, 64 hex digits. */
const MAX_HEADER_LINE = 256;
const SIGNED_HEADER = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
const UNSIGNED_HEADER = /^([0-9a-fA-F]{1,16})$/;
const TRAILER = /^([A-Za-z0-9-]+):(.*)$/;
const SIGNATURE = /^[0-9a-f]{64}$/;

const failed = (failure: DecodeFailure): DecodeResult => ({ ok: false, failure });

/** Reads one line (up to CRLF or LF) at `at`; undefined when there is no line end in reach. */
function line(buf: Buffer, at: number, max: number): { text: string; next: number } | undefined {
  const end = buf.indexOf(0x0a, at);
  if (end < 0 || end - at > max) return undefined;
  const stop = end > at && buf[end - 1] === 0x0d ? end - 1 : end;
  return { text: buf.toString('latin1', at, stop), next: end + 1 };
}

export function decodeAwsChunked(raw: Buffer, mode: StreamingMode): DecodeResult {
  const chunks: DecodedChunk[] = [];
  const header = mode === 'unsigned-trailer' ? UNSIGNED_HEADER : SIGNED_HEADER;
  let at = 0;
  for (;;) {
    const l = line(raw, at, MAX_HEADER_LINE);
    if (!l) return failed('ChunkHeaderMalformed');
    const m = header.exec(l.text);
    if (!m) {
      return failed(
        mode !== 'unsigned-trailer' && UNSIGNED_HEADER.test(l.text)
          ? 'MissingChunkSignature'
          : 'ChunkHeaderMalformed',
      );
    }
    const size = Number.parseInt(m[1]!, 16);
    at = l.next;
    if (size === 0) {
      chunks.push({ data: Buffer.alloc(0), signature: m[2] });
      break;
    }
    if (at + size + CRLF.length > raw.length) return failed('ChunkTooShort');
    chunks.push({ data: raw.subarray(at, at + size), signature: m[2] });
    at += size;
    if (raw[at] !== CRLF[0] || raw[at + 1] !== CRLF[1]) return failed('ChunkHeaderMalformed');
    at += 2;
  }
  const tail = decodeTrailers(raw, at, mode);
  if (!tail.ok) return tail;
  return {
    ok: true,
    body: {
      data: Buffer.concat(chunks.map((c) => bytes(c.data))),
      chunks,
      trailers: tail.trailers,
      trailerSignature: tail.signature,
    },
  };
}

function decodeTrailers(
  raw: Buffer,
  start: number,
  mode: StreamingMode,
):
  | {
      readonly ok: true;
      readonly trailers: (readonly [string, string])[];
      readonly signature: string | undefined;
    }
  | { readonly ok: false; readonly failure: DecodeFailure } {
  const trailers: (readonly [string, string])[] = [];
  let signature: string | undefined;
  let at = start;
  while (at < raw.length) {
    const l = line(raw, at, 1024);
    if (!l) {
      // The last line may end without its CRLF.
      const text = raw.toString('latin1', at).replace(/\r$/, '');
      if (text.length === 0) break;
      if (!pushTrailer(text)) return { ok: false, failure: 'TrailerMalformed' };
      break;
    }
    at = l.next;
    if (l.text.length === 0) break;
    if (!pushTrailer(l.text)) return { ok: false, failure: 'TrailerMalformed' };
  }
  if (raw.subarray(at).some((b) => b !== 0x0d && b !== 0x0a)) {
    return { ok: false, failure: 'TrailerMalformed' };
  }
  if (mode === 'signed' && (trailers.length > 0 || signature !== undefined)) {
    return { ok: false, failure: 'TrailerMalformed' };
  }
  if (mode === 'signed-trailer' && signature === undefined) {
    return { ok: false, failure: 'MissingTrailerSignature' };
  }
  if (mode === 'unsigned-trailer' && signature !== undefined) {
    return { ok: false, failure: 'TrailerMalformed' };
  }
  return { ok: true, trailers, signature };

  function pushTrailer(text: string): boolean {
    const m = TRAILER.exec(text);
    if (!m) return false;
    const name = m[1]!.toLowerCase();
    const value = m[2]!.trim();
    if (name === 'x-amz-trailer-signature') {
      if (!SIGNATURE.test(value) || signature !== undefined) return false;
      signature = value;
      return true;
    }
    if (signature !== undefined) return false; // the signature comes last
    trailers.push([name, value]);
    return true;
  }
}
