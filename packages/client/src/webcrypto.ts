/** The Web Crypto API, present as `globalThis.crypto` in browsers and Node >= 20 (typed here: the lib has no DOM). */
interface WebCrypto {
  getRandomValues<T extends Uint8Array>(array: T): T;
  readonly subtle: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> };
}

export const webCrypto = (): WebCrypto => (globalThis as unknown as { crypto: WebCrypto }).crypto;
