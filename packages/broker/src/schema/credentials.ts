/**
 * The body of `POST /v1/credentials`: `{role, durationSeconds?, policy?}`. Its shape is checked
 * here; the values of `durationSeconds` and `policy` are the broker's to judge (they are decided,
 * and audited, as part of the vend: `DurationInvalid`, `ScopeDownInvalid`, ...).
 */
import * as z from 'zod/mini';
import { parseWith, type SchemaProblemCode, type SchemaResult } from './problems.js';

export const credentialsBodySchema = z.strictObject({
  /** A binding id or a role ARN. */
  role: z.string().check(z.minLength(1, 'role is required: a binding id or a role ARN')),
  /** Untrusted: the broker checks it (`DurationInvalid`, `DurationTooShort`). */
  durationSeconds: z.optional(z.unknown()),
  /** A scope-down session policy (untrusted JSON): the broker checks it. */
  policy: z.optional(z.unknown()),
});

export type CredentialsBody = z.output<typeof credentialsBodySchema>;

export function parseCredentialsBody(
  raw: unknown,
): SchemaResult<CredentialsBody, SchemaProblemCode> {
  return parseWith(credentialsBodySchema, raw) as SchemaResult<CredentialsBody, SchemaProblemCode>;
}
