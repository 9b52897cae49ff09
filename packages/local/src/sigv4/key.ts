/**
 * The SigV4 key derivation and HMACs. The signing key comes from `@smithy/signature-v4` (the
 * derivation the SDK signs with); the rest is node:crypto.
 */
import { createHash, createHmac } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { createScope, getSigningKey } from '@smithy/signature-v4';

export const sha256Hex = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

export const hmacHex = (key: Uint8Array, data: string): string =>
  createHmac('sha256', key).update(data).digest('hex');

/** `<shortDate>/<region>/<service>/aws4_request` */
export const credentialScope = (shortDate: string, region: string, service: string): string =>
  createScope(shortDate, region, service);

export function signingKey(
  secretAccessKey: string,
  accessKeyId: string,
  shortDate: string,
  region: string,
  service: string,
): Promise<Uint8Array> {
  return getSigningKey(
    Hash.bind(null, 'sha256'),
    { accessKeyId, secretAccessKey },
    shortDate,
    region,
    service,
  );
}
