/**
 * The request context as the evaluator reads it: condition keys looked up case-insensitively
 * (AWS: "condition key names are not case-sensitive"), without copying the caller's object.
 *
 * Lookup first tries the key exactly as written in the policy (the common case, no allocation);
 * only on a miss is a lowercased index built, once per `evaluate` call, and consulted.
 * An empty array is a key with no values, which AWS treats like an absent key ("null dataset").
 */
import { BoundedMap, type CacheBounds } from './cache.js';
import type { ContextScalar, ContextValue, ExplainReason } from './types.js';
import { readAddress } from './values.js';

export type ContextRecord = Readonly<Record<string, ContextValue>>;

export class RequestContext {
  private readonly raw: ContextRecord | undefined;
  private lowered: Map<string, ContextValue> | null = null;
  /** Per-call memo of parsed IP addresses (one request, many IpAddress conditions). */
  private ips: Map<string, Uint8Array | null> | null = null;
  /** Per-call memo of context values in words (explain). */
  private words: Map<ContextValue, string> | null = null;
  /**
   * Per-call memo of "<key> has <value>, " by the key as written in the policy (explain): pairs
   * in a flat array, scanned by identity (the compiler interns keys, so one key is one string) —
   * a request has few keys, and a scan beats hashing them.
   */
  private subjects: string[] | null = null;
  /** Per-call memo of explained conditions by signature (see conditions.ts `explainCondition`). */
  private verdicts: Map<number, ExplainReason> | null = null;

  verdict(signature: number): ExplainReason | undefined {
    return this.verdicts === null ? undefined : this.verdicts.get(signature);
  }

  keepVerdict(signature: number, verdict: ExplainReason): void {
    if (this.verdicts === null) this.verdicts = new Map();
    this.verdicts.set(signature, verdict);
  }

  constructor(raw: ContextRecord | undefined) {
    this.raw = raw;
  }

  /**
   * The value of a key (`lowerKey` is `key` lowercased, precomputed by the compiler), or undefined
   * when the key is absent or has no values.
   */
  get(key: string, lowerKey: string): ContextValue | undefined {
    const raw = this.raw;
    if (raw === undefined) return undefined;
    const value = Object.hasOwn(raw, key) ? raw[key] : this.lookupFolded(raw, lowerKey);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value) && value.length === 0) return undefined;
    return value;
  }

  /** The context value parsed as an IP address (memoised for this request), or null. */
  ip(text: string): Uint8Array | null {
    if (this.ips === null) this.ips = new Map();
    let ip = this.ips.get(text);
    if (ip === undefined) {
      ip = readAddress(text);
      this.ips.set(text, ip);
    }
    return ip;
  }

  /** A context value in words for explain (memoised for this request). */
  describe(value: ContextValue): string {
    if (this.words === null) this.words = new Map();
    let text = this.words.get(value);
    if (text === undefined) {
      text = describeContextValue(value);
      this.words.set(value, text);
    }
    return text;
  }

  /**
   * "<key> has <value>, " for explain, memoised for this request by the key as written: within
   * one call a key as written always resolves to the same value (`value` is what `get` returned).
   */
  subject(key: string, value: ContextValue): string {
    let pairs = this.subjects;
    if (pairs === null) {
      pairs = [];
      this.subjects = pairs;
    }
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === key) return pairs[i + 1]!;
    const text = key + ' has ' + describeContextValue(value) + ', ';
    if (pairs.length < 64) pairs.push(key, text);
    return text;
  }

  /**
   * Case-insensitive lookup after an exact miss: a small context is scanned (keys of another
   * length are skipped without lowercasing); a large one gets a lowercased index, once per call.
   */
  private lookupFolded(raw: ContextRecord, lowerKey: string): ContextValue | undefined {
    if (this.lowered !== null || this.size(raw) > 16) return this.index().get(lowerKey);
    for (const k in raw) {
      if (k.length === lowerKey.length && Object.hasOwn(raw, k) && k.toLowerCase() === lowerKey)
        return raw[k];
    }
    return undefined;
  }

  private keyCount = -1;

  private size(raw: ContextRecord): number {
    if (this.keyCount < 0) this.keyCount = Object.keys(raw).length;
    return this.keyCount;
  }

  private index(): Map<string, ContextValue> {
    if (this.lowered !== null) return this.lowered;
    const map = new Map<string, ContextValue>();
    const raw = this.raw;
    if (raw !== undefined) {
      for (const k of Object.keys(raw)) {
        const lower = k.toLowerCase();
        if (!map.has(lower)) map.set(lower, raw[k]!);
      }
    }
    this.lowered = map;
    return map;
  }
}

/**
 * One shared string per distinct text. Keys and ids the compiler keeps may arrive as slices of a
 * large policy document; sharing one copy lets thousands of compiled policies touch the same
 * string on the hot path (fewer cache misses) and lets the documents themselves be collected.
 * - key and value: the text (from a policy document: untrusted);
 * - bound: 65,536 texts, 4 MiB as weighed (cache.ts), texts over 1,024 characters not kept
 *   (returned as given); oldest dropped first;
 * - why: compiled policies of one deployment repeat the same few keys, actions and ids.
 */
const internTable = new BoundedMap<string>({
  entries: 65_536,
  bytes: 4 * 1024 * 1024,
  keyChars: 1024,
});

export function intern(text: string): string {
  const known = internTable.get(text);
  if (known !== undefined) return known;
  internTable.set(text, text);
  return text;
}

/** Bounds of a `SharedTable`: 4,096 keys of up to 1,024 characters, 1 MiB as weighed. */
export const SHARED_TABLE_BOUNDS: CacheBounds = {
  entries: 4096,
  bytes: 1024 * 1024,
  keyChars: 1024,
};

/**
 * A bounded table of shared compiled values (key: a policy text as written; value: the matcher or
 * parsed form compiled from it, never mutated), so that thousands of compiled policies that say
 * the same thing (`sts:AssumeRoleWithWebIdentity`, one identity provider) share one matcher object
 * instead of each touching its own on the hot path. Bound: `SHARED_TABLE_BOUNDS` (the value is
 * weighed like its key: a matcher holds about the text it was compiled from); a longer key is
 * compiled afresh each time. Why: policies are untrusted text, the table must not grow with them.
 */
export class SharedTable<T> {
  private readonly map = new BoundedMap<T>(SHARED_TABLE_BOUNDS, (_value, key) => 2 * key.length);

  get(key: string, make: () => T): T {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make();
      this.map.set(intern(key), value);
    }
    return value;
  }
}

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u2028\u2029]/;

/** `JSON.stringify` for one string, without its cost in the common case (nothing to escape). */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** A context scalar as text, the form string, ARN and Bool operators compare. */
export function scalarText(value: ContextScalar): string {
  return typeof value === 'string' ? value : String(value);
}

/** Renders a context value for explain: `"a"` or `["a", "b"]`. */
export function describeContextValue(value: ContextValue | undefined): string {
  if (value === undefined) return 'no value';
  if (Array.isArray(value)) return JSON.stringify(value.map(scalarText));
  return quote(scalarText(value as ContextScalar));
}
