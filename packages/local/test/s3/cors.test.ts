import { describe, expect, it } from 'vitest';
import { preflight } from '../../src/s3/cors.js';
import { S3Error } from '../../src/s3/errors.js';
import type { LocalCorsRule } from '../../src/types.js';

const RULES: LocalCorsRule[] = [
  {
    AllowedOrigins: ['http://127.0.0.1:3000', 'https://*.example.com'],
    AllowedMethods: ['PUT', 'GET'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  },
];

const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof S3Error ? [err.code, err.status] : err;
  }
  return 'no error';
};

describe('CORS preflight', () => {
  it('answers a matching origin, method and headers with the rule', () => {
    const h = preflight(RULES, {
      origin: 'https://app.example.com',
      method: 'PUT',
      headers: 'Authorization, x-amz-date, x-amz-content-sha256',
    });
    expect(h['access-control-allow-origin']).toBe('https://app.example.com');
    expect(h['access-control-allow-methods']).toBe('PUT, GET');
    expect(h['access-control-allow-headers']).toBe(
      'authorization, x-amz-date, x-amz-content-sha256',
    );
    expect(h['access-control-expose-headers']).toBe('ETag');
    expect(h['access-control-max-age']).toBe('3000');
  });

  it('refuses as S3 does: another origin or method 403 CORSResponse, no Origin 400', () => {
    expect(code(() => preflight(RULES, { origin: 'http://evil.test', method: 'PUT' }))).toEqual([
      'CORSResponse',
      403,
    ]);
    expect(
      code(() => preflight(RULES, { origin: 'http://127.0.0.1:3000', method: 'DELETE' })),
    ).toEqual(['CORSResponse', 403]);
    expect(code(() => preflight(RULES, { method: 'PUT' }))).toEqual(['BadRequest', 400]);
    expect(code(() => preflight([], { origin: 'http://127.0.0.1:3000', method: 'PUT' }))).toEqual([
      'CORSResponse',
      403,
    ]);
  });
});
