/**
 * Revocations (the kill switch): the body of `POST /v1/admin/revocations` and the stored item.
 * One schema each (zod), every problem with its JSON Pointer; the types are derived from them.
 */
import * as z from 'zod/mini';
import { parseWith, type SchemaResult } from './problems.js';

/** A Cognito `sub` or username as a revocation names it: what STS accepts as a SourceIdentity. */
const IDENTITY = /^[\w+=,.@-]{2,64}$/;
const identity = (what: string) =>
  z
    .string()
    .check(z.regex(IDENTITY, `${what} must be 2..64 characters of [\\w+=,.@-] (a SourceIdentity)`));

/** An ISO 8601 time with a zone (`2026-12-01T00:00:00Z`). */
const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone' });

/** `POST /v1/admin/revocations`: who (the token's `sub`, its username, or both), why, until when. */
export const revocationRequestSchema = z
  .strictObject({
    subject: z.optional(identity('subject')),
    username: z.optional(identity('username')),
    reason: z.string().check(z.minLength(1, 'reason is required'), z.maxLength(512)),
    /** When new vends are allowed again by themselves; absent: until lifted. */
    until: z.optional(isoTime),
  })
  .check(
    z.refine((body) => body.subject !== undefined || body.username !== undefined, {
      message: 'name the subject (the token sub) or the username to revoke',
      path: ['subject'],
      params: { code: 'Required' },
    }),
  );

export type RevocationRequest = z.output<typeof revocationRequestSchema>;

export function parseRevocationRequest(raw: unknown): SchemaResult<RevocationRequest> {
  return parseWith(revocationRequestSchema, raw);
}

/** One stored revocation (its table keys are the store's business). */
export const revocationSchema = z.strictObject({
  id: z.uuid(),
  issuer: z.string().check(z.minLength(1)),
  subject: z.optional(identity('subject')),
  username: z.optional(identity('username')),
  reason: z.string().check(z.maxLength(512)),
  /** When the revocation was written. */
  revokedAt: isoTime,
  until: z.optional(isoTime),
  /** `<iss>|<sub>` of the administrator. */
  revokedBy: z.string(),
  liftedAt: z.optional(isoTime),
  liftedBy: z.optional(z.string()),
});

export type Revocation = Readonly<z.output<typeof revocationSchema>>;

export function parseRevocation(raw: unknown): SchemaResult<Revocation> {
  return parseWith(revocationSchema, raw);
}
