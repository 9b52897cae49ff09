import { describe, expect, it } from 'vitest';
import { decodeAwsChunked } from '../../src/s3/chunked.js';

const SIG_A = 'a'.repeat(64);
const SIG_B = 'b'.repeat(64);
const SIG_C = 'c'.repeat(64);
const SIG_T = 'd'.repeat(64);

const signed = (parts: readonly [string, string][], tail = '\r\n') =>
  Buffer.from(
    parts
      .map(([data, sig]) => `${data.length.toString(16)};chunk-signature=${sig}\r\n${data}\r\n`)
      .join('')
      .replace(/\r\n$/, '') + tail,
  );

describe('decodeAwsChunked', () => {
  it('decodes STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunks with their signatures', () => {
    const body = Buffer.from(
      `5;chunk-signature=${SIG_A}\r\nhello\r\n6;chunk-signature=${SIG_B}\r\n world\r\n0;chunk-signature=${SIG_C}\r\n\r\n`,
    );
    const out = decodeAwsChunked(body, 'signed');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.body.data.toString()).toBe('hello world');
    expect(out.body.chunks.map((c) => c.signature)).toEqual([SIG_A, SIG_B, SIG_C]);
    expect(out.body.trailers).toEqual([]);
  });

  it('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER as the JS SDK and botocore frame it', () => {
    const body = Buffer.from('b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    const out = decodeAwsChunked(body, 'unsigned-trailer');
    expect(out.ok && out.body.data.toString()).toBe('hello world');
    expect(out.ok && out.body.trailers).toEqual([['x-amz-checksum-crc32', 'DUoRhQ==']]);
  });

  it('decodes a signed trailer and its x-amz-trailer-signature', () => {
    const body = Buffer.from(
      `5;chunk-signature=${SIG_A}\r\nhello\r\n0;chunk-signature=${SIG_B}\r\nx-amz-checksum-crc32:NhCmhg==\r\nx-amz-trailer-signature:${SIG_T}\r\n\r\n`,
    );
    const out = decodeAwsChunked(body, 'signed-trailer');
    expect(out.ok && out.body.trailerSignature).toBe(SIG_T);
    expect(out.ok && out.body.trailers).toEqual([['x-amz-checksum-crc32', 'NhCmhg==']]);
  });

  it('refuses what is not the declared framing', () => {
    expect(decodeAwsChunked(Buffer.from('5\r\nhello\r\n0\r\n\r\n'), 'signed')).toEqual({
      ok: false,
      failure: 'MissingChunkSignature',
    });
    // A chunk shorter than its declared size.
    expect(decodeAwsChunked(Buffer.from('f\r\nhello\r\n0\r\n\r\n'), 'unsigned-trailer')).toEqual({
      ok: false,
      failure: 'ChunkTooShort',
    });
    // Data after the chunk that is not CRLF.
    expect(decodeAwsChunked(Buffer.from('2\r\nhello\r\n0\r\n\r\n'), 'unsigned-trailer')).toEqual({
      ok: false,
      failure: 'ChunkHeaderMalformed',
    });
    // A signed trailer without its signature, a trailer in the plain signed form.
    expect(
      decodeAwsChunked(
        Buffer.from(`0;chunk-signature=${SIG_A}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`),
        'signed-trailer',
      ),
    ).toEqual({ ok: false, failure: 'MissingTrailerSignature' });
    expect(
      decodeAwsChunked(
        Buffer.from(`0;chunk-signature=${SIG_A}\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`),
        'signed',
      ),
    ).toEqual({ ok: false, failure: 'TrailerMalformed' });
    // No terminating zero-length chunk.
    expect(decodeAwsChunked(Buffer.from('5\r\nhello\r\n'), 'unsigned-trailer')).toEqual({
      ok: false,
      failure: 'ChunkHeaderMalformed',
    });
  });

  it('takes the chunk data verbatim, CRLFs inside it included', () => {
    const data = 'a\r\nb\r\n0\r\n\r\n';
    const out = decodeAwsChunked(
      signed([
        [data, SIG_A],
        ['', SIG_B],
      ]),
      'signed',
    );
    expect(out.ok && out.body.data.toString()).toBe(data);
  });
});
