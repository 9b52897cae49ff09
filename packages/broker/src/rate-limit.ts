/**
 * Rate limits per source IP and per subject: a token bucket per key, refilled continuously
 * (`perMinute` requests a minute, bursts up to `burst`). A request over the limit is denied
 * `RateLimited` (429 with Retry-After) and recorded like every decision.
 *
 * In Lambda each warm instance counts on its own: this is the inner layer; API Gateway's stage
 * throttling (infra) is the outer one, across instances.
 *
 * The bucket map (key: `ip:` or `sub:` and the SHA-256 of the value, so every key has the same
 * small size whatever the caller sends; value: tokens and time; bound: `maxKeys` keys, least
 * recently used dropped first; why: it is fed by untrusted input — source addresses and subjects).
 */
import { createHash } from 'node:crypto';

export interface RateLimit {
  /** Requests a minute, refilled continuously. */
  readonly perMinute: number;
  /** Most requests at once (the bucket's size). */
  readonly burst: number;
}

export interface RateLimits {
  /** null: no limit by source IP. */
  readonly perSourceIp: RateLimit | null;
  /** null: no limit by subject. */
  readonly perSubject: RateLimit | null;
  /** Keys remembered at most (each about 150 bytes). Default 10,000. */
  readonly maxKeys?: number;
}

export type Take =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Decides whether one more request of a key fits its limit now. */
export interface RateLimiter {
  take(kind: 'sourceIp' | 'subject', value: string, nowMs: number): Take;
}

interface Bucket {
  tokens: number;
  at: number;
}

const ALLOWED: Take = { allowed: true };

export class MemoryRateLimiter implements RateLimiter {
  readonly #limits: RateLimits;
  readonly #buckets = new Map<string, Bucket>();
  readonly #maxKeys: number;

  constructor(limits: RateLimits) {
    this.#limits = limits;
    this.#maxKeys = limits.maxKeys ?? 10_000;
  }

  take(kind: 'sourceIp' | 'subject', value: string, nowMs: number): Take {
    const limit = kind === 'sourceIp' ? this.#limits.perSourceIp : this.#limits.perSubject;
    if (limit === null) return ALLOWED;
    const key = `${kind === 'sourceIp' ? 'ip' : 'sub'}:${createHash('sha256').update(value).digest('base64url')}`;
    const bucket = this.#refilled(key, limit, nowMs);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return ALLOWED;
    }
    const perMs = limit.perMinute / 60_000;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
    };
  }

  /** The key's bucket, refilled to now and moved to the most recently used end. */
  #refilled(key: string, limit: RateLimit, nowMs: number): Bucket {
    const found = this.#buckets.get(key);
    const bucket = found ?? { tokens: limit.burst, at: nowMs };
    if (found) {
      this.#buckets.delete(key);
      const elapsed = Math.max(0, nowMs - bucket.at);
      bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perMinute) / 60_000);
      bucket.at = nowMs;
    } else if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    this.#buckets.set(key, bucket);
    return bucket;
  }

  /** Keys held now (for the bound's test). */
  get size(): number {
    return this.#buckets.size;
  }
}
