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
      parseBinding({ ...document, roleMaxSessionDuration: 3600 });
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
