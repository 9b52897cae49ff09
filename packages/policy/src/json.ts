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
      /** The JSON text read: the caller's own text, or the serialisation of a caller's value. */
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
  const text = String(token).replaceAll('~', '~0').replaceAll('/', '~1');
  return `${pointer}/${text}`;
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
