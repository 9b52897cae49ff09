/**
 * Reading untrusted policy documents: proto-safe JSON, a size cap, and RFC 6901 JSON Pointers.
 *
 * A document arrives either as text (`rawText`) or as a value built by the caller, which at
 * runtime may be anything (cyclic, BigInt, functions, getters that throw). Both are brought to the
 * same shape — plain JSON data produced by `JSON.parse` — so the walker only ever sees
 * strings, numbers, booleans, null, arrays and plain objects. `JSON.parse` defines `__proto__`
 * as an ordinary own property, so such keys never reach an object's prototype.
 */

/** Refuse documents larger than this many characters (IAM's own limits are far smaller). */
export const MAX_DOCUMENT_CHARS = 1024 * 1024;

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export type JsonReadResult =
  | {
      readonly ok: true;
      readonly value: JsonValue;
      /**
       * The JSON text read: the caller's own text, or the serialisation of a caller's value
       * ('' when a caller's plain value was copied directly, see `copyPlainJson`: only when the
       * reader did not need the text).
       */
      readonly text: string;
      readonly source: 'text' | 'value';
    }
  | {
      readonly ok: false;
      readonly reason: 'InvalidJson' | 'PolicyTooLarge';
      readonly detail: string;
    };

/** Parse untrusted text; never throws. */
export function readJsonText(rawText: string): JsonReadResult {
  if (rawText.length > MAX_DOCUMENT_CHARS) {
    return { ok: false, reason: 'PolicyTooLarge', detail: tooLargeDetail(rawText.length) };
  }
  try {
    return { ok: true, value: JSON.parse(rawText) as JsonValue, text: rawText, source: 'text' };
  } catch (error) {
    return { ok: false, reason: 'InvalidJson', detail: describeError(error) };
  }
}

/**
 * Bring a caller-built value to plain JSON data by serialising it (JSON semantics: `undefined`,
 * functions and symbols are dropped, `toJSON` is honoured) and parsing it back. Never throws.
 */
export function readJsonValue(rawValue: unknown): JsonReadResult {
  let text: string | undefined;
  try {
    text = JSON.stringify(rawValue);
  } catch (error) {
    return {
      ok: false,
      reason: 'InvalidJson',
      detail: `not serialisable as JSON (${describeError(error)})`,
    };
  }
  if (typeof text !== 'string') {
    return { ok: false, reason: 'InvalidJson', detail: 'not serialisable as JSON' };
  }
  const read = readJsonText(text);
  return read.ok ? { ...read, source: 'value' } : read;
}

/**
 * The fast path of `readJsonValue` for plain data: copies a caller-built value that is made only
 * of plain objects (prototype `Object.prototype` or null), plain arrays, strings, booleans, null
 * and finite numbers, reading every property exactly once — the same data `JSON.parse(
 * JSON.stringify(value))` would give, without building and re-reading the text. Anything else
 * (a `toJSON`, a Date, a boxed primitive, `undefined`, a function, a non-finite number, deep
 * nesting or a cycle, a getter that throws, a document that may be too large) returns undefined:
 * the caller then takes the JSON round trip, which defines the answer for it. Never throws.
 *
 * The copy is fresh data: later changes to the caller's object cannot reach it, and it is read
 * once, so a getter cannot show the walker one value and the compiler another.
 */
export function copyPlainJson(rawValue: unknown): JsonValue | undefined {
  const budget = { chars: 0 };
  try {
    return copyPlain(rawValue, 0, budget);
  } catch {
    return undefined;
  }
}

const MAX_PLAIN_DEPTH = 64;

/** Thrown inside the copy to leave it (caught by copyPlainJson). */
const NOT_PLAIN = new Error('not plain JSON data');

function copyPlain(value: unknown, depth: number, budget: { chars: number }): JsonValue {
  switch (typeof value) {
    case 'string':
      // Upper bound of its JSON form: every character escaped as \uXXXX, plus the quotes.
      budget.chars += value.length * 6 + 2;
      if (budget.chars > MAX_DOCUMENT_CHARS) throw NOT_PLAIN;
      return value;
    case 'boolean':
      budget.chars += 5;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      budget.chars += 25;
      return value === 0 ? 0 : value; // -0 reads back as 0
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  budget.chars += 4;
  if (value === null) return null;
  if (depth >= MAX_PLAIN_DEPTH || budget.chars > MAX_DOCUMENT_CHARS) throw NOT_PLAIN;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || 'toJSON' in value) throw NOT_PLAIN;
    const length = value.length;
    budget.chars += length; // at least one comma or bracket per item
    if (budget.chars > MAX_DOCUMENT_CHARS) throw NOT_PLAIN;
    const out: JsonValue[] = new Array<JsonValue>(length);
    for (let i = 0; i < length; i++) out[i] = copyPlain(value[i], depth + 1, budget);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) throw NOT_PLAIN;
  const source = value as Record<string, unknown>;
  const out: JsonObject = {};
  const keys = Object.keys(source);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = copyPlain(source[key], depth + 1, budget);
    budget.chars += key.length * 6 + 3;
    if (key === '__proto__') {
      // An own data property, as JSON.parse defines it — never the object's prototype.
      Object.defineProperty(out, key, {
        value: item,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = item;
    }
  }
  return out;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own enumerable keys in document order (never inherited ones). */
export function ownEntries(object: JsonObject): [string, JsonValue][] {
  return Object.keys(object).map((key) => [key, object[key] as JsonValue]);
}

export function ownValue(object: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Append one reference token to a JSON Pointer (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function childPointer(pointer: string, token: string | number): string {
  if (typeof token === 'number') return pointer + '/' + token;
  let text = token;
  if (text.includes('~')) text = text.replaceAll('~', '~0');
  if (text.includes('/')) text = text.replaceAll('/', '~1');
  return pointer + '/' + text;
}

/** The JSON type name used in messages. */
export function jsonTypeOf(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function tooLargeDetail(length: number): string {
  return `the document has ${length} characters; at most ${MAX_DOCUMENT_CHARS} are accepted`;
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : 'unreadable value';
  return message.split('\n')[0] ?? message;
}

type Frame =
  | { kind: 'object'; pointer: string; keys: Set<string>; expectKey: boolean; currentKey: string }
  | { kind: 'array'; pointer: string; index: number };

/**
 * JSON Pointers of keys written twice in one object. `JSON.parse` keeps the last silently; IAM
 * refuses them ("Individual elements must not contain multiple instances of the same key").
 * Expects text that `JSON.parse` accepted. Iterative: no recursion, whatever the nesting.
 */
export function findDuplicateKeys(jsonText: string): string[] {
  const duplicates: string[] = [];
  const stack: Frame[] = [];
  let position = 0;
  while (position < jsonText.length) {
    const char = jsonText[position];
    const top = stack.at(-1);
    if (char === '"') {
      const end = endOfString(jsonText, position);
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(jsonText.slice(position, end)) as string;
        if (top.keys.has(key)) duplicates.push(childPointer(top.pointer, key));
        top.keys.add(key);
        top.currentKey = key;
        top.expectKey = false;
      }
      position = end;
      continue;
    }
    if (char === '{' || char === '[') {
      const pointer = pointerOfNextValue(top);
      stack.push(
        char === '{'
          ? { kind: 'object', pointer, keys: new Set(), expectKey: true, currentKey: '' }
          : { kind: 'array', pointer, index: 0 },
      );
    } else if (char === '}' || char === ']') {
      stack.pop();
    } else if (char === ',' && top !== undefined) {
      if (top.kind === 'object') top.expectKey = true;
      else top.index += 1;
    }
    position += 1;
  }
  return duplicates;
}

function pointerOfNextValue(parent: Frame | undefined): string {
  if (parent === undefined) return '';
  return parent.kind === 'object'
    ? childPointer(parent.pointer, parent.currentKey)
    : childPointer(parent.pointer, parent.index);
}

/** Index just past the closing quote of the string starting at `start`. */
function endOfString(text: string, start: number): number {
  let position = start + 1;
  while (position < text.length) {
    const char = text[position];
    if (char === '\\') position += 2;
    else if (char === '"') return position + 1;
    else position += 1;
  }
  return text.length;
}
