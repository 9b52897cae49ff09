/**
 * Validated binding writes (the admin API, `tessera bindings apply`, seeding): parse the untrusted
 * document, read the role's MaxSessionDuration with IAM GetRole (never on a vend), stamp
 * `updatedAt` / `updatedBy`, and write with the store's conditional single-item put (optimistic
 * concurrency on `version`: 1 creates, n replaces n-1).
 */
import { type ParsedBinding, parseBinding } from './binding.js';
import { type Clock, systemClock } from './clock.js';
import { BindingError } from './errors.js';
import type { BindingStore, RoleInspector } from './ports.js';

export interface BindingAdminDeps {
  readonly store: BindingStore;
  readonly inspector: RoleInspector;
  readonly clock?: Clock;
}

export interface BindingAdmin {
  /** Validate and write. `actor` is the verified identity of the writer (audit: updatedBy). */
  apply(unverifiedBinding: unknown, actor: string): Promise<ParsedBinding>;
  remove(issuer: string, id: string, version: number): Promise<void>;
}

/** Fields the server sets; a document may omit them. */
const SERVER_FIELDS = ['roleMaxSessionDuration', 'updatedAt', 'updatedBy'] as const;

/**
 * The document checks of a binding write, offline (no IAM): every problem at once (throws
 * BindingError 'BindingInvalid'), else the parsed binding, defaults filled. Server-set fields are
 * dropped first; the role's MaxSessionDuration stands at its minimum until IAM is read. The admin
 * API and `tessera bindings validate` run the same checks.
 */
export function checkBindingDocument(unverifiedBinding: unknown): {
  readonly document: Record<string, unknown>;
  readonly parsed: ParsedBinding;
} {
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
  return { document, parsed: parseBinding({ ...document, roleMaxSessionDuration: 3600 }) };
}

export function createBindingAdmin(deps: BindingAdminDeps): BindingAdmin {
  const clock = deps.clock ?? systemClock;
  return {
    async apply(unverifiedBinding, actor) {
      // First pass: every document problem, before any call to IAM.
      const { document } = checkBindingDocument(unverifiedBinding);
      const roleMaxSessionDuration = await deps.inspector.maxSessionDuration(
        String(document['roleArn']),
      );
      const parsed = parseBinding({
        ...document,
        roleMaxSessionDuration,
        updatedAt: clock.now().toISOString(),
        updatedBy: actor,
      });
      await deps.store.put(parsed.binding);
      return parsed;
    },
    remove(issuer, id, version) {
      return deps.store.delete(issuer, id, version);
    },
  };
}
