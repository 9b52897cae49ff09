/**
 * A role's permission policies as a snapshot kept on its binding: built when the binding is
 * written (from IAM), checked when it is read (the schema: the hash must match the policies),
 * evaluated by simulate's `check`. Pure.
 */
import { createHash } from 'node:crypto';
import type { PermissionSnapshot, RolePermissionPolicy } from './types.js';

/** JSON with object keys sorted: the same policies always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Inline policies by name, then managed policies by ARN; with the SHA-256 of their canonical JSON. */
export function permissionSnapshot(policies: readonly RolePermissionPolicy[]): PermissionSnapshot {
  const sorted = [...policies].sort((a, b) => {
    const ka = `${a.kind === 'inline' ? 0 : 1}${a.arn ?? a.name}`;
    const kb = `${b.kind === 'inline' ? 0 : 1}${b.arn ?? b.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return {
    policies: sorted,
    sha256: createHash('sha256').update(canonicalJson(sorted)).digest('hex'),
  };
}
