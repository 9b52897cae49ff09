/**
 * Memo tables for values computed from untrusted text (policy documents, request values), bounded
 * in entries AND in bytes so that distinct inputs — many, or large — cannot grow them without
 * limit: a stream of unique 8 KB strings must not pin 8 KB each.
 *
 * - A key longer than `keyChars` is never stored (the caller computes its value afresh: such keys
 *   are not the short, repeated texts a memo pays off for).
 * - Each entry is weighed as `2 × key length` (UTF-16, an upper bound of what V8 keeps) plus
 *   `ENTRY_OVERHEAD` plus the caller's estimate of the value (`weigh`); when a new entry would pass
 *   `entries` or `bytes`, the oldest entries are dropped first.
 * - No TTL anywhere: every value is a pure function of its key and never goes stale.
 * The bound of each table, with its key, value and why, is documented where it is declared.
 */

/** Bytes counted per entry besides the key's characters and the value (Map slot, string header). */
export const ENTRY_OVERHEAD = 64;

export interface CacheBounds {
  /** At most this many entries. */
  readonly entries: number;
  /** At most this many bytes, as weighed (see the module comment). */
  readonly bytes: number;
  /** Keys longer than this (in UTF-16 code units) are not stored. */
  readonly keyChars: number;
}

export class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  private used = 0;

  constructor(
    readonly bounds: CacheBounds,
    private readonly weighValue: (value: V, key: string) => number = () => 0,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** Bytes currently held, as weighed. */
  get bytes(): number {
    return this.used;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Stores the entry when its key is short enough and it fits the byte bound at all. */
  set(key: string, value: V): void {
    if (key.length > this.bounds.keyChars || this.map.has(key)) return;
    const weight = this.weigh(key, value);
    if (weight > this.bounds.bytes) return;
    while (
      this.map.size > 0 &&
      (this.map.size >= this.bounds.entries || this.used + weight > this.bounds.bytes)
    ) {
      this.evictOldest();
    }
    this.map.set(key, value);
    this.used += weight;
  }

  /** The value for `key`, computed by `make` and remembered (within the bounds) on a miss. */
  getOrMake(key: string, make: () => V): V {
    const known = this.map.get(key);
    if (known !== undefined) return known;
    const value = make();
    this.set(key, value);
    return value;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }

  private weigh(key: string, value: V): number {
    return 2 * key.length + ENTRY_OVERHEAD + this.weighValue(value, key);
  }

  private evictOldest(): void {
    const oldest = this.map.entries().next();
    if (oldest.done === true) return;
    const [key, value] = oldest.value;
    this.map.delete(key);
    this.used -= this.weigh(key, value);
  }
}
