/**
 * Rendering `${token:<claim>}` placeholders from verified claims into a session policy, session
 * tags and SourceIdentity.
 *
 * Rendering never widens: a claim value that could change what a policy matches (wildcards `*` `?`,
 * a policy variable `$` `{` `}`, JSON breakers `"` `\`, control or format characters, `..`, empty,
 * over-long, not a string, multivalued, a path separator `/`) is refused, and the request is denied
 * with the reason. `/` is refused everywhere: in a session policy a value is a path segment, and
 * `red/secret` would reach into another principal's prefix (`teams/red/secret/*`); session tags and
 * SourceIdentity are read back the same way by `${aws:PrincipalTag/...}` and
 * `${aws:SourceIdentity}` in role policies (`uploads/${aws:PrincipalTag/sub}/*`). In a session
 * policy a value also keeps to what STS accepts there (no white space, which would break an ARN,
 * and nothing beyond U+00FF); tags and SourceIdentity are held to STS's patterns after rendering.
 * The
 * policy is rendered into the parsed JSON tree's string values and serialised afterwards, so JSON
 * escaping is the serialiser's job, never text substitution. Other policy variables
 * (`${aws:PrincipalTag/team}`) are left for AWS to resolve.
 */
import type { Claims, JsonObject, JsonValue } from './types.js';

/** Longest claim value rendered into anything. */
export const MAX_RENDERED_VALUE_LENGTH = 256;

const PLACEHOLDER = /\$\{token:([^}]*)\}/g;
/** Characters that would widen a policy or break out of a string. */
const UNSAFE_CHARS = /[*?${}"\\]|[\p{Cc}\p{Cf}\u2028\u2029]/u;
/** In a session policy: white space (breaks an ARN) or beyond STS's U+00FF (the `Policy` pattern). */
const UNFIT_FOR_POLICY = /[\s\p{Z}]|[^\u0000-\u00FF]/u;

export type RenderRefusal = 'ClaimMissing' | 'ClaimUnsafe';

export type RenderResult<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly reason: RenderRefusal;
      /** The claim name (never its value: it may be the attack). */
      readonly claim: string;
      readonly detail: string;
    };

/** Where a value is rendered: into a session policy (a path segment) or a tag / SourceIdentity. */
export type RenderTarget = 'policy' | 'value';

/** Why a claim value is unsafe to render, or `undefined` when it is safe. */
export function unsafeClaimValue(
  value: unknown,
  target: RenderTarget = 'value',
): string | undefined {
  if (Array.isArray(value)) return 'multivalued';
  if (typeof value !== 'string') return 'not a string';
  if (value.length === 0) return 'empty';
  if (value.length > MAX_RENDERED_VALUE_LENGTH) return 'too long';
  if (UNSAFE_CHARS.test(value)) return 'contains a wildcard, variable, quote or control character';
  if (value.includes('..')) return 'contains ..';
  if (value.includes('/')) return 'contains / (a path separator)';
  if (target === 'policy' && UNFIT_FOR_POLICY.test(value))
    return 'contains white space or a character STS refuses in a session policy';
  return undefined;
}

/** The claim names a template refers to. */
export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

/** Render one string template. */
export function renderString(
  template: string,
  claims: Claims,
  target: RenderTarget = 'value',
): RenderResult<string> {
  let refusal: RenderResult<string> | undefined;
  const value = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (refusal) return whole;
    if (!Object.hasOwn(claims, name) || claims[name] === undefined || claims[name] === null) {
      refusal = {
        ok: false,
        reason: 'ClaimMissing',
        claim: name,
        detail: `claim ${name} is absent`,
      };
      return whole;
    }
    const unsafe = unsafeClaimValue(claims[name], target);
    if (unsafe !== undefined) {
      refusal = {
        ok: false,
        reason: 'ClaimUnsafe',
        claim: name,
        detail: `claim ${name}: ${unsafe}`,
      };
      return whole;
    }
    return claims[name] as string;
  });
  return refusal ?? { ok: true, value };
}

function renderValue(node: JsonValue, claims: Claims): RenderResult<JsonValue> {
  if (typeof node === 'string') return renderString(node, claims, 'policy');
  if (Array.isArray(node)) {
    const out: JsonValue[] = [];
    for (const item of node as readonly JsonValue[]) {
      const r = renderValue(item, claims);
      if (!r.ok) return r;
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  if (node !== null && typeof node === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, child] of Object.entries(node as JsonObject)) {
      const r = renderValue(child, claims);
      if (!r.ok) return r;
      // Keys are never rendered (binding validation refuses placeholders in keys).
      Object.defineProperty(out, key, {
        value: r.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return { ok: true, value: out };
  }
  return { ok: true, value: node };
}

/** Render a session policy template into a new tree (the template is not modified). */
export function renderPolicy(template: JsonObject, claims: Claims): RenderResult<JsonObject> {
  return renderValue(template, claims) as RenderResult<JsonObject>;
}

/** Render the session tag values; keys are fixed by the binding. */
export function renderTags(
  template: Readonly<Record<string, string>>,
  claims: Claims,
): RenderResult<{ Key: string; Value: string }[]> {
  const tags: { Key: string; Value: string }[] = [];
  for (const [Key, valueTemplate] of Object.entries(template)) {
    const r = renderString(valueTemplate, claims);
    if (!r.ok) return r;
    tags.push({ Key, Value: r.value });
  }
  return { ok: true, value: tags };
}

/** Paths of object keys that contain a `${token:...}` placeholder (refused by validation). */
export function placeholderKeys(node: JsonValue, path = ''): string[] {
  if (Array.isArray(node)) {
    return (node as readonly JsonValue[]).flatMap((item, i) =>
      placeholderKeys(item, `${path}/${i}`),
    );
  }
  if (node !== null && typeof node === 'object') {
    return Object.entries(node as JsonObject).flatMap(([key, child]) => [
      ...(placeholdersIn(key).length > 0 ? [`${path}/${key}`] : []),
      ...placeholderKeys(child, `${path}/${key}`),
    ]);
  }
  return [];
}
