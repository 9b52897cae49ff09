/**
 * A memo for pure functions of request text, bounded so that distinct inputs cannot grow it
 * without limit: at most `capacity` entries and `maxBytes` bytes, the oldest inserted dropped
 * first. An entry weighs `2 × key length` (UTF-16) + `ENTRY_OVERHEAD` + `weighValue(value, key)`;
 * an entry heavier than `maxBytes` on its own is computed but not kept. No TTL: a value is a
 * function of its key alone, so it never goes stale. Failures are never stored (a throwing
 * `compute` leaves the cache as it was).
 */
export const ENTRY_OVERHEAD = 64;

export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();
  #bytes = 0;

  constructor(
    readonly capacity: number,
    readonly maxBytes: number,
    private readonly weighValue: (value: V, key: string) => number = () => 0,
  ) {}

  /** Bytes held, as weighed. */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string, compute: (key: string) => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    const weight = this.#weigh(key, value);
    if (weight > this.maxBytes) return value;
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= this.capacity || this.#bytes + weight > this.maxBytes)
    ) {
      const [oldKey, oldValue] = this.#entries.entries().next().value as [string, V];
      this.#entries.delete(oldKey);
      this.#bytes -= this.#weigh(oldKey, oldValue);
    }
    this.#entries.set(key, value);
    this.#bytes += weight;
    return value;
  }

  #weigh(key: string, value: V): number {
    return 2 * key.length + ENTRY_OVERHEAD + this.weighValue(value, key);
  }
}
