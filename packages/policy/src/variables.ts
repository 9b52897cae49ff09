/**
 * Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"):
 * - `${key}` is replaced by the request's value for the condition key `key` (case-insensitive);
 * - `${key, 'default'}` uses `default` when the key is absent;
 * - `${*}`, `${?}`, `${$}` stand for a literal `*`, `?`, `$` (so a pattern can match them);
 * - only with `"Version": "2012-10-17"`; under 2008-10-17 or without Version the text is literal;
 * - a multivalued key cannot be used as a variable: it does not resolve;
 * - a key that is absent (and has no default) leaves the variable unresolved. AWS: "if AWS cannot
 *   resolve a variable this might cause the entire statement to be invalid". Tessera never lets it
 *   widen anything: in a Resource list or a positive operator the value matches nothing (other
 *   values still can); in NotResource or a negated operator (StringNotEquals, ArnNotLike, …) the
 *   element is false, so the statement does not apply — never "every resource" through
 *   NotResource, never "not equal to anything". Never an error.
 * A substituted value is literal text: a `*` or `?` inside a context value is not a wildcard.
 */
import { BoundedMap, type CacheBounds } from './cache.js';
import { intern, type RequestContext, scalarText } from './context.js';
import type { PatternPiece } from './wildcard.js';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'escape'; readonly text: '*' | '?' | '$' }
  | {
      readonly kind: 'variable';
      /** As written, `${...}` included. */
      readonly text: string;
      readonly key: string;
      readonly lowerKey: string;
      readonly fallback: string | undefined;
    };

export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
}

const VARIABLE = /^\s*([^\s,'}]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Parses `${...}` in text, or returns null when the text has no variable (the fast path). */
export function parseTemplate(source: string): Template | null {
  if (!source.includes('${')) return null;
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('${', i);
    if (open < 0) break;
    const close = source.indexOf('}', open + 2);
    if (close < 0) break;
    const part = parsePart(source.slice(open + 2, close), source.slice(open, close + 1));
    if (part === null) {
      text += source.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    text += source.slice(i, open);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push(part);
    i = close + 1;
  }
  text += source.slice(i);
  if (text !== '') parts.push({ kind: 'text', text });
  if (parts.every((p) => p.kind === 'text')) return null;
  return { source, parts };
}

function parsePart(inner: string, written: string): TemplatePart | null {
  if (inner === '*' || inner === '?' || inner === '$') return { kind: 'escape', text: inner };
  const m = VARIABLE.exec(inner);
  if (m === null) return null;
  const key = intern(m[1]!);
  return {
    kind: 'variable',
    text: written,
    key,
    lowerKey: intern(key.toLowerCase()),
    fallback: m[2],
  };
}

/** The first variable (as written) of these templates that does not resolve, or null. */
export function unresolvedVariable(
  templates: readonly Template[],
  context: RequestContext,
): string | null {
  for (const template of templates) {
    for (const part of template.parts) {
      if (part.kind === 'variable' && resolveVariable(part, context) === undefined)
        return part.text;
    }
  }
  return null;
}

/** The value a variable takes in this request, or undefined when it does not resolve. */
export function resolveVariable(
  part: Extract<TemplatePart, { kind: 'variable' }>,
  context: RequestContext,
): string | undefined {
  const value = context.get(part.key, part.lowerKey);
  if (value === undefined) return part.fallback;
  if (Array.isArray(value)) return undefined;
  return scalarText(value as Exclude<typeof value, readonly unknown[]>);
}

/**
 * The template as pattern pieces (text parts wild, substituted values and escapes literal), or
 * null when a variable does not resolve.
 */
export function resolvePieces(template: Template, context: RequestContext): PatternPiece[] | null {
  const pieces: PatternPiece[] = [];
  for (const part of template.parts) {
    switch (part.kind) {
      case 'text':
        pieces.push({ text: part.text, wild: true });
        break;
      case 'escape':
        pieces.push({ text: part.text, wild: false });
        break;
      case 'variable': {
        const value = resolveVariable(part, context);
        if (value === undefined) return null;
        pieces.push({ text: value, wild: false });
        break;
      }
    }
  }
  return pieces;
}

/**
 * A cache of what a template compiles to, per resolved variable values: a policy variable such as
 * `${aws:PrincipalTag/team}` takes few distinct values, so the matcher for
 * `arn:aws:s3:::bucket/teams/blue/*` is built once, not on every request.
 * - key: the resolved values (request values: untrusted), length-prefixed (unambiguous);
 * - value: the compiled matcher (weighed like its key: it holds about the resolved text);
 * - bound: `TEMPLATE_CACHE_BOUNDS` per template — 64 entries, 32 KiB as weighed, keys over 512
 *   characters compiled afresh every time; oldest dropped first; no TTL (the key is the input);
 * - why: a template is compiled per request otherwise; the bound keeps a caller sending distinct
 *   or huge claim values from growing every compiled policy that uses the variable.
 */
export const TEMPLATE_CACHE_BOUNDS: CacheBounds = { entries: 64, bytes: 32 * 1024, keyChars: 512 };

export class TemplateCache<T> {
  private readonly map = new BoundedMap<T>(TEMPLATE_CACHE_BOUNDS, (_value, key) => 2 * key.length);

  /** The compiled form for this request, or null when a variable does not resolve. */
  get(template: Template, context: RequestContext, build: (pieces: PatternPiece[]) => T): T | null {
    let key = '';
    for (const part of template.parts) {
      if (part.kind !== 'variable') continue;
      const value = resolveVariable(part, context);
      if (value === undefined) return null;
      key += value.length + ':' + value;
    }
    let compiled = this.map.get(key);
    if (compiled === undefined) {
      const pieces = resolvePieces(template, context);
      if (pieces === null) return null;
      compiled = build(pieces);
      this.map.set(key, compiled);
    }
    return compiled;
  }
}

/** The template as plain text (for operators without wildcards), or null when unresolved. */
export function resolveText(template: Template, context: RequestContext): string | null {
  let out = '';
  for (const part of template.parts) {
    switch (part.kind) {
      case 'text':
      case 'escape':
        out += part.text;
        break;
      case 'variable': {
        const value = resolveVariable(part, context);
        if (value === undefined) return null;
        out += value;
        break;
      }
    }
  }
  return out;
}
