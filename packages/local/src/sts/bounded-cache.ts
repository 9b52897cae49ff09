/**
 * A memo for pure functions of request text, bounded so that distinct inputs cannot grow it
 * without limit: at most `capacity` entries, the oldest inserted dropped first. No TTL: a value
 * is a function of its key alone, so it never goes stale. Failures are never stored (a throwing
 * `compute` leaves the cache as it was).
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get(key: string, compute: (key: string) => V): V {
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
    return value;
  }
}
