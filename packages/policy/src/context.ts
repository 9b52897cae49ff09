/**
 * The request context as the evaluator reads it: condition keys looked up case-insensitively
 * (AWS: "condition key names are not case-sensitive"), without copying the caller's object.
 *
 * Lookup first tries the key exactly as written in the policy (the common case, no allocation);
 * only on a miss is a lowercased index built, once per `evaluate` call, and consulted.
 * An empty array is a key with no values, which AWS treats like an absent key ("null dataset").
 */
import { parseIp } from './ip.js';
import type { ContextScalar, ContextValue } from './types.js';

export type ContextRecord = Readonly<Record<string, ContextValue>>;

export class RequestContext {
  private readonly raw: ContextRecord | undefined;
  private lowered: Map<string, ContextValue> | null = null;
  /** Per-call memo of parsed IP addresses (one request, many IpAddress conditions). */
  private ips: Map<string, Uint8Array | null> | null = null;
  /** Per-call memo of context values in words (explain). */
  private words: Map<ContextValue, string> | null = null;

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
    const value = Object.hasOwn(raw, key) ? raw[key] : this.index().get(lowerKey);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value) && value.length === 0) return undefined;
    return value;
  }

  /** The context value parsed as an IP address (memoised for this request), or null. */
  ip(text: string): Uint8Array | null {
    if (this.ips === null) this.ips = new Map();
    let ip = this.ips.get(text);
    if (ip === undefined) {
      ip = parseIp(text);
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
 * One shared string per distinct text (a bounded dedupe table, cleared when full). Keys and ids the
 * compiler keeps may arrive as slices of a large policy document; sharing one copy lets thousands
 * of compiled policies touch the same string on the hot path (fewer cache misses) and lets the
 * documents themselves be collected.
 */
const internTable = new Map<string, string>();

export function intern(text: string): string {
  const known = internTable.get(text);
  if (known !== undefined) return known;
  if (internTable.size >= 65_536) internTable.clear();
  internTable.set(text, text);
  return text;
}

/**
 * A bounded table of shared compiled values (key → value), so that thousands of compiled policies
 * that say the same thing (`sts:AssumeRoleWithWebIdentity`, one identity provider) share one
 * matcher object instead of each touching its own on the hot path. Cleared when full.
 */
export class SharedTable<T> {
  private readonly map = new Map<string, T>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: string, make: () => T): T {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make();
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(intern(key), value);
    }
    return value;
  }
}

/** A context scalar as text, the form string, ARN and Bool operators compare. */
export function scalarText(value: ContextScalar): string {
  return typeof value === 'string' ? value : String(value);
}

/** Renders a context value for explain: `"a"` or `["a", "b"]`. */
export function describeContextValue(value: ContextValue | undefined): string {
  if (value === undefined) return 'no value';
  if (Array.isArray(value)) return JSON.stringify(value.map(scalarText));
  return JSON.stringify(scalarText(value as ContextScalar));
}
