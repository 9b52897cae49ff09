/**
 * Validated binding writes (the admin API, `tessera bindings apply`, seeding): parse the untrusted
 * document, check its trust policy's vocabulary (trust-vocabulary.ts), read what IAM says about
 * the role — MaxSessionDuration, description and permission policies (never on a vend) — stamp
 * `updatedAt` / `updatedBy`, and write with the store's conditional single-item put (optimistic
 * concurrency on `version`: 1 creates, n replaces n-1).
 */
import { type BindingWarning, type ParsedBinding, parseBinding } from './binding.js';
import { type Clock, systemClock } from './clock.js';
import { BindingError, type FieldIssue } from './errors.js';
import type { BindingStore, RoleInspector } from './ports.js';
import { notTargetable, type TargetRoles } from './target-roles.js';
import { type ClaimVocabulary, checkTrustVocabulary } from './trust-vocabulary.js';
import type { JsonObject } from './types.js';

export interface BindingAdminDeps {
  readonly store: BindingStore;
  readonly inspector: RoleInspector;
  /** The roles a binding may name (never the broker's own); checked before IAM is asked. */
  readonly targets: TargetRoles;
  readonly clock?: Clock;
  /** The pool's known claims; default: the standard Cognito claims and no custom attributes. */
  readonly vocabulary?: ClaimVocabulary;
}

export interface BindingAdmin {
  /** Validate and write. `actor` is the verified identity of the writer (audit: updatedBy). */
  apply(unverifiedBinding: unknown, actor: string): Promise<ParsedBinding>;
  remove(issuer: string, id: string, version: number): Promise<void>;
}

/** Fields the server sets; a document may omit them. */
const SERVER_FIELDS = [
  'roleMaxSessionDuration',
  'roleDescription',
  'permissionPolicies',
  'updatedAt',
  'updatedBy',
] as const;

const NO_VOCABULARY: ClaimVocabulary = { customAttributes: [] };

/** Every document problem at once: the parser's and the vocabulary's. */
function validate(
  document: Record<string, unknown>,
  vocabulary: ClaimVocabulary,
): readonly BindingWarning[] {
  const trust = document['trustPolicy'];
  const words =
    typeof trust === 'object' && trust !== null && !Array.isArray(trust)
      ? checkTrustVocabulary(trust as JsonObject, vocabulary)
      : { errors: [], warnings: [], unknownKeys: new Set<string>() };
  let issues: readonly FieldIssue[] = [];
  let warnings: readonly BindingWarning[] = [];
  try {
    warnings = parseBinding({ ...document, roleMaxSessionDuration: 3600 }).warnings;
  } catch (err) {
    if (!(err instanceof BindingError)) throw err;
    issues = err.issues;
  }
  if (issues.length > 0 || words.errors.length > 0) {
    const id = typeof document['id'] === 'string' ? document['id'] : '(no id)';
    throw new BindingError('BindingInvalid', `binding ${id} is invalid`, [
      ...issues,
      ...words.errors,
    ]);
  }
  // A warning about how an unknown key is used (e.g. "single-valued") is beside the point.
  const relevant = warnings.filter(
    (w) => ![...words.unknownKeys].some((key) => w.field.toLowerCase().endsWith(`/${key}`)),
  );
  return [...words.warnings, ...relevant];
}

const NOT_TARGETABLE = {
  BrokerRole: "is Tessera's own role: a binding for it would hand out the broker's permissions",
  NotATarget: 'is not one of the roles Tessera is configured to assume (its target roles)',
} as const;

/** A role a binding may not name, refused with its reason (422 RoleNotTargetable, `/roleArn`). */
function checkTargetable(targets: TargetRoles, roleArn: string): void {
  const reason = notTargetable(targets, roleArn);
  if (reason === undefined) return;
  const message = `roleArn ${NOT_TARGETABLE[reason]}`;
  throw new BindingError('RoleNotTargetable', message, [
    { field: '/roleArn', code: 'RoleNotTargetable', message },
  ]);
}

export function createBindingAdmin(deps: BindingAdminDeps): BindingAdmin {
  const clock = deps.clock ?? systemClock;
  return {
    async apply(unverifiedBinding, actor) {
      if (
        typeof unverifiedBinding !== 'object' ||
        unverifiedBinding === null ||
        Array.isArray(unverifiedBinding)
      ) {
        throw new BindingError('BindingInvalid', 'binding must be a JSON object', [
          { field: '', code: 'NotAnObject', message: 'binding must be a JSON object' },
        ]);
      }
      const document: Record<string, unknown> = { ...unverifiedBinding };
      for (const field of SERVER_FIELDS) delete document[field];
      // First pass: every document problem, before any call to IAM.
      const warnings = validate(document, deps.vocabulary ?? NO_VOCABULARY);
      const roleArn = String(document['roleArn']);
      checkTargetable(deps.targets, roleArn);
      const role = await deps.inspector.inspect(roleArn);
      const parsed = parseBinding({
        ...document,
        roleMaxSessionDuration: role.maxSessionDuration,
        roleDescription: role.description,
        permissionPolicies: role.permissionPolicies,
        updatedAt: clock.now().toISOString(),
        updatedBy: actor,
      });
      await deps.store.put(parsed.binding);
      return { binding: parsed.binding, warnings };
    },
    remove(issuer, id, version) {
      return deps.store.delete(issuer, id, version);
    },
  };
}
