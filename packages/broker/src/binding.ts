/**
 * Bindings: "callers matching this trust policy may assume this role, scoped so". Parse an
 * untrusted item into a `Binding` (the schema in `schema/binding.ts`: every problem with its JSON
 * Pointer and code), warn about risky trust, and compile the trust policy once.
 */
import { BindingError, type FieldIssue } from './errors.js';
import {
  type BindingIssueCode,
  type BindingWarning,
  checkBinding,
  ROLE_ARN,
} from './schema/binding.js';
import type { SchemaProblem } from './schema/problems.js';
import { compile, type Policy } from './trust.js';
import type { Binding, JsonObject } from './types.js';

export type { BindingWarning };

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

/** Schema problems as the field issues a `BindingError` carries (`field` is the JSON Pointer). */
export function fieldIssues(problems: readonly SchemaProblem<BindingIssueCode>[]): FieldIssue[] {
  return problems.map((p) => ({ field: p.pointer, code: p.code, message: p.message }));
}

/** Parse and validate an untrusted binding. Throws BindingError('BindingInvalid') listing every issue. */
export function parseBinding(raw: unknown): ParsedBinding {
  const checked = checkBinding(raw);
  if (!checked.ok) {
    const id = isPlainObject(raw) && typeof raw['id'] === 'string' ? raw['id'] : '(no id)';
    throw new BindingError(
      'BindingInvalid',
      `binding ${id} is invalid`,
      fieldIssues(checked.problems),
    );
  }
  const { binding, policyWarnings } = checked.value;
  return { binding, warnings: [...trustWarnings(binding.trustPolicy), ...policyWarnings] };
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
      ? `/trustPolicy/Statement/${i}`
      : '/trustPolicy/Statement';
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
