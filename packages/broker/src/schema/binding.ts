/**
 * A binding, described once: the zod schema below is the validator, the source of the `Binding`
 * type, and (through `npm run schema`) the published JSON Schema `schema/binding.schema.json`
 * that editors, the CLI and the portal validate binding files with. What a schema cannot say —
 * a policy's own grammar (`@tessera/policy`'s validator), placeholders in policy keys, transitive
 * tag keys naming session tags — is checked by `checkBinding` after it, every problem with its
 * JSON Pointer.
 */

import type { Finding } from '@tessera/policy';
import * as z from 'zod/mini';
import { checkTagKey, checkTagValue, STS_LIMITS } from '../limits.js';
import { permissionSnapshot } from '../permission-snapshot.js';
import { placeholderKeys } from '../render.js';
import { findings } from '../trust.js';
import type { JsonObject, PermissionSnapshot, RolePermissionPolicy } from '../types.js';
import {
  coded,
  parseWith,
  pointerOf,
  type SchemaProblem,
  type SchemaProblemCode,
  type SchemaResult,
} from './problems.js';

export const BINDING_ID = /^[a-z0-9-]{1,64}$/;
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const PLACEHOLDER = /\$\{token:[^}]*\}/g;

/** Every code a binding's problems carry, besides the policy validator's finding codes. */
export type BindingProblemCode =
  | SchemaProblemCode
  | 'InvalidTagKey'
  | 'InvalidTagValue'
  | 'TooManyTags'
  | 'UnknownTagKey'
  | 'DefaultAboveMax'
  | 'PlaceholderInKey'
  /** `externalId` with the web-identity vendor (AssumeRoleWithWebIdentity takes none). */
  | 'ExternalIdWithWebIdentity'
  /** Admin writes: the issuer is not a pool this broker trusts. */
  | 'IssuerNotConfigured'
  /** Admin writes: IAM has no such role. */
  | 'RoleNotFound'
  /** Admin writes: the broker's own role, or a role outside the configured targets. */
  | 'RoleNotTargetable'
  /** Admin writes: a server-managed field differs from what is stored. */
  | 'ServerFieldChanged'
  /** A stored permission snapshot whose policies do not match its hash. */
  | 'SnapshotHashMismatch'
  /** Admin writes (trust-vocabulary.ts): an action a trust policy cannot grant. */
  | 'UnknownTrustAction'
  /** Admin writes: a trust statement that checks only claims users can write. */
  | 'TrustOnlyUserWritableClaims';

/** A code of `@tessera/policy`'s validator (`InvalidEffect`, `UnknownConditionOperator`, ...). */
export type PolicyFindingCode = Finding['code'];

export type BindingIssueCode = BindingProblemCode | PolicyFindingCode;

const duration = z
  .int()
  .check(z.minimum(STS_LIMITS.minDurationSeconds), z.maximum(STS_LIMITS.maxDurationSeconds));

const durationBounds = z.object({ default: duration, max: duration }).check(
  z.refine((d) => d.default <= d.max, {
    ...coded('DefaultAboveMax', 'default must not exceed max'),
    path: ['default'],
  }),
);

/** A policy document's shape here is "a JSON object"; its grammar is the policy validator's. */
const policyDocument = z.record(z.string(), z.unknown());

const sessionTags = z.record(z.string(), z.string()).check(
  z.superRefine((tags, ctx) => {
    const entries = Object.entries(tags);
    if (entries.length > STS_LIMITS.maxTags) {
      ctx.issues.push({
        code: 'custom',
        input: tags,
        message: `at most ${STS_LIMITS.maxTags} session tags`,
        params: { code: 'TooManyTags' },
      });
    }
    for (const [key, value] of entries) {
      const keyProblem = checkTagKey(key);
      if (keyProblem) ctx.issues.push(tagIssue(key, 'InvalidTagKey', keyProblem));
      const valueProblem = checkTagValue(value.replace(PLACEHOLDER, ''));
      if (valueProblem) ctx.issues.push(tagIssue(key, 'InvalidTagValue', valueProblem));
    }
  }),
);

function tagIssue(key: string, code: string, message: string) {
  return { code: 'custom' as const, input: key, path: [key], message, params: { code } };
}

/** `sourceIdentity`: what is left after its placeholders must be STS's characters. */
function sourceIdentityRenders(template: string): boolean {
  const literal = template.replace(PLACEHOLDER, '');
  return !/[^\w+=,.@-]/.test(literal) && !(literal === template && literal.length < 2);
}

/** One permission policy of a role, as IAM returned it. */
const rolePermissionPolicy = z.strictObject({
  kind: z.enum(['inline', 'managed']),
  name: z.string(),
  arn: z.optional(z.string()),
  versionId: z.optional(z.string()),
  document: policyDocument,
});

/** A role's permission policies with their hash (checked by `checkBinding`). */
const permissionSnapshotSchema = z.strictObject({
  policies: z.array(rolePermissionPolicy),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 hex characters')),
});

/**
 * One item of the trust-policy table (DESIGN.md "The trust-policy table"). Server-managed
 * fields (`version`, `updatedAt`, `updatedBy`, `roleMaxSessionDuration`) are part of it: a
 * stored binding carries them.
 */
export const bindingSchema = z.strictObject({
  id: z.string().check(z.regex(BINDING_ID, 'id must be 1..64 characters of [a-z0-9-]')),
  /**
   * Who mints the session: `assume-role` (STS AssumeRole with the broker's credentials; role
   * chaining in Lambda, 1 h at most) or `web-identity` (Tessera's own token and
   * AssumeRoleWithWebIdentity; up to the role's MaxSessionDuration). README "Session length".
   */
  vendor: z._default(z.enum(['assume-role', 'web-identity']), 'assume-role'),
  issuer: z.url({ protocol: /^https$/, error: 'issuer must be an https URL' }),
  roleArn: z.string().check(z.regex(ROLE_ARN, 'roleArn must be an IAM role ARN')),
  trustPolicy: policyDocument,
  sessionPolicy: z._default(z.nullable(policyDocument), null),
  sessionTags: z._default(sessionTags, {}),
  transitiveTagKeys: z._default(z.array(z.string()), []),
  /**
   * The SourceIdentity stamped on the session (a template over verified claims). Absent: the
   * verified username, else the `sub` — every session carries one, so every session can be revoked.
   */
  sourceIdentity: z.optional(
    z
      .string()
      .check(
        z.refine(
          sourceIdentityRenders,
          'sourceIdentity must render to 2..64 characters of [\\w+=,.@-]',
        ),
      ),
  ),
  durationSeconds: z._default(durationBounds, { default: 3600, max: 3600 }),
  /** Explicit: `null` means the role expects none. */
  externalId: z.nullable(
    z
      .string()
      .check(z.regex(EXTERNAL_ID, 'externalId must be 2..1224 characters of [\\w+=,.@:/-]')),
  ),
  enabled: z._default(z.boolean(), true),
  version: z._default(z.int().check(z.minimum(1)), 1),
  updatedAt: z._default(z.string(), ''),
  updatedBy: z._default(z.string(), ''),
  /** The role's MaxSessionDuration, read with IAM GetRole when the binding is written. */
  roleMaxSessionDuration: z.int().check(z.minimum(3600), z.maximum(43_200)),
  /** The role's IAM description, read with GetRole when the binding is written. */
  roleDescription: z._default(z.string().check(z.maxLength(1000)), ''),
  /**
   * The role's permission policies (inline and attached) read with IAM when the binding is
   * written, with the SHA-256 of their canonical JSON; `null` when IAM cannot read them (a role
   * of another account). Simulate's `check` evaluates them; a vend never calls IAM.
   */
  permissionPolicies: z._default(z.nullable(permissionSnapshotSchema), null),
  /**
   * What simulate tells a caller this binding refuses: `keys` (the failing condition keys and
   * operators) or `full` (also the expected values).
   */
  explain: z._default(z.enum(['keys', 'full']), 'keys'),
});

type BindingOutput = z.output<typeof bindingSchema>;
type PolicyField = 'trustPolicy' | 'sessionPolicy' | 'permissionPolicies';

/** A validated binding (derived from `bindingSchema`; policies typed as the JSON they are). */
export type Binding = {
  readonly [K in Exclude<keyof BindingOutput, PolicyField>]: Readonly<BindingOutput[K]>;
} & {
  readonly trustPolicy: JsonObject;
  readonly sessionPolicy: JsonObject | null;
  readonly permissionPolicies: PermissionSnapshot | null;
};

/** A binding file as written (server-managed and defaulted fields optional). */
export type BindingDocument = z.input<typeof bindingSchema>;

export type DurationBounds = Binding['durationSeconds'];

export interface BindingWarning {
  /** JSON Pointer of what the warning is about, e.g. `/trustPolicy/Statement/0`. */
  readonly field: string;
  /** `TrustOnlyUserWritableClaims`, `TrustUnconditional`, or a policy validator warning code. */
  readonly code: string;
  readonly message: string;
}

/** What `checkBinding` answers: the binding and the policy validator's warnings. */
export interface CheckedBinding {
  readonly binding: Binding;
  readonly policyWarnings: readonly BindingWarning[];
}

/** Validator warnings the broker words itself (trustWarnings). */
const BROKER_WARNS = new Set(['TrustPolicyWithoutCondition', 'OnlyUserWritableClaimsChecked']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The policy validator's findings and placeholder keys of one policy field. */
function policyChecks(
  document: unknown,
  field: PolicyField,
  warnings: BindingWarning[],
): SchemaProblem<BindingIssueCode>[] {
  if (!isPlainObject(document)) return [];
  const problems: SchemaProblem<BindingIssueCode>[] = [];
  const kind = field === 'trustPolicy' ? 'trust' : 'session';
  for (const f of findings(document, kind)) {
    const pointer = `/${field}${f.path}`;
    if (f.severity === 'error') problems.push({ code: f.code, pointer, message: f.message });
    else if (!BROKER_WARNS.has(f.code))
      warnings.push({ field: pointer, code: f.code, message: f.message });
  }
  for (const path of placeholderKeys(document as JsonObject)) {
    problems.push({
      code: 'PlaceholderInKey',
      pointer: `/${field}${path}`,
      message: 'placeholders are only rendered in string values',
    });
  }
  return problems;
}

/** Transitive tag keys must name session tags. */
function transitiveChecks(raw: Record<string, unknown>): SchemaProblem<BindingIssueCode>[] {
  const keys = raw['transitiveTagKeys'];
  const tags = isPlainObject(raw['sessionTags']) ? raw['sessionTags'] : {};
  if (!Array.isArray(keys)) return [];
  return keys.flatMap((key, i) =>
    typeof key === 'string' && !Object.hasOwn(tags, key)
      ? [
          {
            code: 'UnknownTagKey' as const,
            pointer: pointerOf(['transitiveTagKeys', i]),
            message: `transitive tag key ${key} is not a session tag`,
          },
        ]
      : [],
  );
}

/** The web-identity vendor takes no ExternalId: the role's trust names Tessera's provider instead. */
function vendorChecks(raw: Record<string, unknown>): SchemaProblem<BindingIssueCode>[] {
  if (raw['vendor'] !== 'web-identity' || raw['externalId'] === null) return [];
  if (raw['externalId'] === undefined) return [];
  return [
    {
      code: 'ExternalIdWithWebIdentity',
      pointer: '/externalId',
      message: 'externalId must be null with the web-identity vendor',
    },
  ];
}

/** A permission snapshot's hash must be its policies' hash. */
function snapshotChecks(snapshot: unknown): SchemaProblem<BindingIssueCode>[] {
  if (!isPlainObject(snapshot) || !Array.isArray(snapshot['policies'])) return [];
  const computed = permissionSnapshot(snapshot['policies'] as RolePermissionPolicy[]).sha256;
  return computed === snapshot['sha256']
    ? []
    : [
        {
          code: 'SnapshotHashMismatch',
          pointer: '/permissionPolicies/sha256',
          message: 'the permission policies do not match their hash',
        },
      ];
}

/**
 * Validate an untrusted binding: the schema, then the policies and the cross-field rules. Every
 * problem is answered, in one list, each with its JSON Pointer.
 */
export function checkBinding(raw: unknown): SchemaResult<CheckedBinding, BindingIssueCode> {
  const shape = parseWith(bindingSchema, raw);
  const policyWarnings: BindingWarning[] = [];
  const problems: SchemaProblem<BindingIssueCode>[] = shape.ok
    ? []
    : [...(shape.problems as SchemaProblem<BindingIssueCode>[])];
  if (isPlainObject(raw)) {
    problems.push(
      ...policyChecks(raw['trustPolicy'], 'trustPolicy', policyWarnings),
      ...policyChecks(raw['sessionPolicy'], 'sessionPolicy', policyWarnings),
      ...transitiveChecks(raw),
      ...vendorChecks(raw),
      ...snapshotChecks(raw['permissionPolicies']),
    );
  }
  if (!shape.ok || problems.length > 0) return { ok: false, problems: inFieldOrder(problems) };
  // The one cast: policies passed the policy validator, and JSON objects hold JSON values.
  return { ok: true, value: { binding: shape.value as Binding, policyWarnings } };
}

const FIELD_ORDER = Object.keys(bindingSchema.def.shape);

/** Problems in the schema's field order (stable within a field); unknown fields last. */
export function inFieldOrder<P extends { readonly pointer: string }>(problems: readonly P[]): P[] {
  const rank = (p: P) => {
    const field = p.pointer.split('/')[1] ?? '';
    const i = FIELD_ORDER.indexOf(field);
    return p.pointer === '' ? -1 : i === -1 ? FIELD_ORDER.length : i;
  };
  return [...problems].sort((a, b) => rank(a) - rank(b));
}
