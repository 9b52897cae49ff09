/**
 * Bindings: "callers matching this trust policy may assume this role, scoped so". Parse an
 * untrusted item into a `Binding` with every field-level problem (field path + code), warn about
 * risky trust, and compile the trust policy once.
 */
import { BindingError, type FieldIssue } from './errors.js';
import { checkTagKey, checkTagValue, STS_LIMITS } from './limits.js';
import { placeholderKeys } from './render.js';
import { compile, findings, type Policy } from './trust.js';
import type { Binding, DurationBounds, JsonObject } from './types.js';

export const DEFAULT_SOURCE_IDENTITY = '${token:cognito:username}';
const ID = /^[a-z0-9-]{1,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** Validator warnings the broker words itself (trustWarnings). */
const BROKER_WARNS = new Set(['TrustPolicyWithoutCondition', 'OnlyUserWritableClaimsChecked']);
const KNOWN_FIELDS = new Set([
  'id',
  'issuer',
  'roleArn',
  'trustPolicy',
  'sessionPolicy',
  'sessionTags',
  'transitiveTagKeys',
  'sourceIdentity',
  'durationSeconds',
  'externalId',
  'enabled',
  'version',
  'updatedAt',
  'updatedBy',
  'roleMaxSessionDuration',
]);

export interface BindingWarning {
  readonly field: string;
  /** `TrustOnlyUserWritableClaims`, `TrustUnconditional`, or a policy validator warning code. */
  readonly code: string;
  readonly message: string;
}

export interface ParsedBinding {
  readonly binding: Binding;
  readonly warnings: readonly BindingWarning[];
}

/** A binding ready to decide with: its trust policy compiled once. */
export interface CompiledBinding {
  readonly binding: Binding;
  readonly trust: Policy;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The account id of a role ARN (`arn:aws:iam::111122223333:role/x` -> `111122223333`). */
export function accountOf(roleArn: string): string {
  return ROLE_ARN.exec(roleArn)?.[1] ?? '';
}

export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf('/') + 1);
}

/** Parse and validate an untrusted binding. Throws BindingError('BindingInvalid') listing every issue. */
export function parseBinding(raw: unknown): ParsedBinding {
  const issues: FieldIssue[] = [];
  const policyWarnings: BindingWarning[] = [];
  const issue = (field: string, code: string, message: string) =>
    issues.push({ field, code, message });
  if (!isPlainObject(raw)) {
    throw new BindingError('BindingInvalid', 'binding must be a JSON object', [
      { field: '', code: 'NotAnObject', message: 'binding must be a JSON object' },
    ]);
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) issue(key, 'UnknownField', `unknown field ${key}`);
  }

  const str = (field: string, pattern: RegExp | undefined, what: string): string => {
    const v = raw[field];
    if (typeof v !== 'string') {
      issue(field, v === undefined ? 'Required' : 'NotAString', `${field} must be ${what}`);
      return '';
    }
    if (pattern && !pattern.test(v)) issue(field, 'InvalidFormat', `${field} must be ${what}`);
    return v;
  };

  const id = str('id', ID, 'a string of [a-z0-9-]{1,64}');
  const issuer = str('issuer', undefined, 'an https URL');
  if (issuer) {
    try {
      if (new URL(issuer).protocol !== 'https:')
        issue('issuer', 'InvalidFormat', 'issuer must be an https URL');
    } catch {
      issue('issuer', 'InvalidFormat', 'issuer must be an https URL');
    }
  }
  const roleArn = str('roleArn', ROLE_ARN, 'an IAM role ARN');

  const policyField = (field: 'trustPolicy' | 'sessionPolicy', kind: 'trust' | 'session') => {
    const doc = raw[field];
    if (!isPlainObject(doc)) {
      issue(
        field,
        doc === undefined ? 'Required' : 'NotAnObject',
        `${field} must be a policy document`,
      );
      return undefined;
    }
    for (const f of findings(doc, kind)) {
      if (f.severity === 'error') issue(`${field}${f.path}`, f.code, f.message);
      else if (!BROKER_WARNS.has(f.code))
        policyWarnings.push({ field: `${field}${f.path}`, code: f.code, message: f.message });
    }
    for (const path of placeholderKeys(doc as JsonObject)) {
      issue(
        `${field}${path}`,
        'PlaceholderInKey',
        'placeholders are only rendered in string values',
      );
    }
    return doc as JsonObject;
  };
  const trustPolicy = policyField('trustPolicy', 'trust') ?? {};
  const sessionPolicy =
    raw['sessionPolicy'] === undefined || raw['sessionPolicy'] === null
      ? null
      : (policyField('sessionPolicy', 'session') ?? null);

  const sessionTags: Record<string, string> = {};
  const rawTags = raw['sessionTags'] ?? {};
  if (!isPlainObject(rawTags)) {
    issue(
      'sessionTags',
      'NotAnObject',
      'sessionTags must be an object of tag key -> value template',
    );
  } else {
    const entries = Object.entries(rawTags);
    if (entries.length > STS_LIMITS.maxTags)
      issue('sessionTags', 'TooManyTags', 'at most 50 session tags');
    for (const [key, value] of entries) {
      const field = `sessionTags.${key}`;
      const keyProblem = checkTagKey(key);
      if (keyProblem) issue(field, 'InvalidTagKey', keyProblem);
      if (typeof value !== 'string') {
        issue(field, 'NotAString', 'a tag value template must be a string');
        continue;
      }
      const literal = value.replace(/\$\{token:[^}]*\}/g, '');
      const valueProblem = checkTagValue(literal);
      if (valueProblem) issue(field, 'InvalidTagValue', valueProblem);
      sessionTags[key] = value;
    }
  }

  let transitiveTagKeys: string[] = [];
  const rawTransitive = raw['transitiveTagKeys'] ?? [];
  if (!Array.isArray(rawTransitive) || !rawTransitive.every((k) => typeof k === 'string')) {
    issue('transitiveTagKeys', 'NotAStringArray', 'transitiveTagKeys must be an array of tag keys');
  } else {
    transitiveTagKeys = rawTransitive;
    for (const k of rawTransitive) {
      if (!Object.hasOwn(sessionTags, k)) {
        issue('transitiveTagKeys', 'UnknownTagKey', `transitive tag key ${k} is not a session tag`);
      }
    }
  }

  let sourceIdentity = DEFAULT_SOURCE_IDENTITY;
  if (raw['sourceIdentity'] !== undefined) {
    if (typeof raw['sourceIdentity'] !== 'string') {
      issue('sourceIdentity', 'NotAString', 'sourceIdentity must be a string template');
    } else {
      sourceIdentity = raw['sourceIdentity'];
      const literal = sourceIdentity.replace(/\$\{token:[^}]*\}/g, '');
      if (/[^\w+=,.@-]/.test(literal) || (literal === sourceIdentity && literal.length < 2)) {
        issue(
          'sourceIdentity',
          'InvalidFormat',
          'sourceIdentity must render to 2..64 characters of [\\w+=,.@-]',
        );
      }
    }
  }

  const durationSeconds = parseDuration(raw['durationSeconds'], issue);

  let externalId: string | null = null;
  if (!Object.hasOwn(raw, 'externalId')) {
    issue('externalId', 'Required', 'externalId must be given: a string, or null for none');
  } else if (raw['externalId'] !== null) {
    externalId = str('externalId', EXTERNAL_ID, 'null or 2..1224 characters of [\\w+=,.@:/-]');
  }

  const enabled = raw['enabled'] ?? true;
  if (typeof enabled !== 'boolean')
    issue('enabled', 'NotABoolean', 'enabled must be true or false');
  const version = raw['version'] ?? 1;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    issue('version', 'InvalidVersion', 'version must be a positive integer');
  }
  const updatedAt = raw['updatedAt'] ?? '';
  const updatedBy = raw['updatedBy'] ?? '';
  if (typeof updatedAt !== 'string') issue('updatedAt', 'NotAString', 'updatedAt must be a string');
  if (typeof updatedBy !== 'string') issue('updatedBy', 'NotAString', 'updatedBy must be a string');
  const roleMax = raw['roleMaxSessionDuration'];
  if (
    typeof roleMax !== 'number' ||
    !Number.isInteger(roleMax) ||
    roleMax < 3600 ||
    roleMax > 43_200
  ) {
    issue(
      'roleMaxSessionDuration',
      roleMax === undefined ? 'Required' : 'OutOfRange',
      'roleMaxSessionDuration must be the role MaxSessionDuration (3600..43200), read with IAM GetRole',
    );
  }

  if (issues.length > 0) {
    throw new BindingError('BindingInvalid', `binding ${id || '(no id)'} is invalid`, issues);
  }
  const binding: Binding = {
    id,
    issuer,
    roleArn,
    trustPolicy,
    sessionPolicy,
    sessionTags,
    transitiveTagKeys,
    sourceIdentity,
    durationSeconds,
    externalId,
    enabled: enabled as boolean,
    version: version as number,
    updatedAt: updatedAt as string,
    updatedBy: updatedBy as string,
    roleMaxSessionDuration: roleMax as number,
  };
  return { binding, warnings: [...trustWarnings(trustPolicy), ...policyWarnings] };
}

function parseDuration(
  raw: unknown,
  issue: (field: string, code: string, message: string) => void,
): DurationBounds {
  const fallback = { default: 3600, max: 3600 };
  if (raw === undefined) return fallback;
  if (!isPlainObject(raw)) {
    issue('durationSeconds', 'NotAnObject', 'durationSeconds must be {default, max}');
    return fallback;
  }
  const inRange = (v: unknown) =>
    typeof v === 'number' &&
    Number.isInteger(v) &&
    v >= STS_LIMITS.minDurationSeconds &&
    v <= STS_LIMITS.maxDurationSeconds;
  const def = raw['default'];
  const max = raw['max'];
  if (!inRange(def))
    issue('durationSeconds.default', 'OutOfRange', 'default must be an integer 900..43200');
  if (!inRange(max))
    issue('durationSeconds.max', 'OutOfRange', 'max must be an integer 900..43200');
  if (inRange(def) && inRange(max) && (def as number) > (max as number)) {
    issue('durationSeconds.default', 'DefaultAboveMax', 'default must not exceed max');
  }
  return { default: def as number, max: max as number };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * Warnings about trust that is easy to satisfy: an Allow statement with no condition (anyone in
 * the pool), or whose only conditions are on `token:custom:*` claims a user may write themselves.
 */
export function trustWarnings(trustPolicy: JsonObject): BindingWarning[] {
  const warnings: BindingWarning[] = [];
  const statements = asArray(trustPolicy['Statement']);
  statements.forEach((statement, i) => {
    if (!isPlainObject(statement) || statement['Effect'] !== 'Allow') return;
    const field = Array.isArray(trustPolicy['Statement'])
      ? `trustPolicy/Statement/${i}`
      : 'trustPolicy/Statement';
    const condition = statement['Condition'];
    const keys = isPlainObject(condition)
      ? Object.values(condition).flatMap((block) =>
          isPlainObject(block) ? Object.keys(block) : [],
        )
      : [];
    if (keys.length === 0) {
      warnings.push({
        field,
        code: 'TrustUnconditional',
        message: 'this statement has no condition: every user of the pool may assume the role',
      });
    } else if (keys.every((k) => k.toLowerCase().startsWith('token:custom:'))) {
      warnings.push({
        field,
        code: 'TrustOnlyUserWritableClaims',
        message: 'only custom: claims are checked; users may be able to write them themselves',
      });
    }
  });
  return warnings;
}

/** Compile a parsed binding's trust policy. */
export function compileBinding(binding: Binding): CompiledBinding {
  return { binding, trust: compile(binding.trustPolicy) };
}

/**
 * Compiled bindings, cached. Key: `issuer`, `id` and `version` (a new version is a new entry);
 * value: the compiled binding; no TTL (an entry is immutable for its version), bounded by
 * `maxEntries` (oldest dropped). Why: compiling a trust policy on every request is wasted work
 * on the warm path.
 */
export class BindingCompiler {
  readonly #cache = new Map<string, CompiledBinding>();
  readonly #maxEntries: number;
  constructor(maxEntries = 1000) {
    this.#maxEntries = maxEntries;
  }
  compile(binding: Binding): CompiledBinding {
    const key = JSON.stringify([binding.issuer, binding.id, binding.version, binding.updatedAt]);
    let compiled = this.#cache.get(key);
    if (!compiled) {
      compiled = compileBinding(binding);
      if (this.#cache.size >= this.#maxEntries) {
        const oldest = this.#cache.keys().next().value;
        if (oldest !== undefined) this.#cache.delete(oldest);
      }
      this.#cache.set(key, compiled);
    }
    return compiled;
  }
}
