/**
 * Where the client keeps tokens and cached credentials: a port. Memory (tests, short-lived
 * processes), Web Storage (`sessionStorage` in the browser) here; files under the user's config
 * and cache directories in Node on `@tessera/client/node`.
 */
export interface KeyValueStorage {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryStorage implements KeyValueStorage {
  private readonly items = new Map<string, string>();
  async get(key: string) {
    return this.items.get(key);
  }
  async set(key: string, value: string) {
    this.items.set(key, value);
  }
  async delete(key: string) {
    this.items.delete(key);
  }
}

/** The part of the DOM's `Storage` this uses (`sessionStorage`, `localStorage`). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Over `sessionStorage` (prefer it to `localStorage`: gone when the tab closes). */
export class WebStorage implements KeyValueStorage {
  constructor(
    private readonly store: WebStorageLike,
    private readonly prefix = 'tessera:',
  ) {}
  async get(key: string) {
    return this.store.getItem(this.prefix + key) ?? undefined;
  }
  async set(key: string, value: string) {
    this.store.setItem(this.prefix + key, value);
  }
  async delete(key: string) {
    this.store.removeItem(this.prefix + key);
  }
}
