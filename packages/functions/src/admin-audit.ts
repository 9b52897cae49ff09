/**
 * The audit trail of binding writes. Every admin write stores an event — who, which binding, old
 * -> new version — in the broker's AuditSink BEFORE the store write (fail closed):
 *
 * - audit first, then write: if the audit log is down the write is never attempted (503), so the
 *   table never holds a change the log does not name. If the write then fails (version conflict,
 *   store down), a second event with the same binding id records the outcome (`deny` / `error`,
 *   reason = the error code); that one is best effort (logged when it cannot be stored), so the
 *   log may over-report an attempt, never under-report a change.
 * - the other order (write, then audit) would leave an unaudited change behind whenever the audit
 *   write failed after the store write succeeded.
 *
 * A verified caller refused as not an administrator is audited too (`deny`, `AdminRequired`).
 */
import { randomUUID } from 'node:crypto';
import {
  type AuditEvent,
  type AuditResult,
  type AuditSink,
  type Binding,
  BindingError,
  type BindingStore,
  BrokerError,
  blankEvent,
  type Clock,
  type Code,
  type RequestOrigin,
  StoreError,
  sha256Hex,
  storableEvent,
  subjectOf,
  type VerifiedToken,
} from '@tessera/broker';
import { alreadyRecorded } from './errors.js';

export type AdminAction =
  | 'binding.put'
  | 'binding.delete'
  | 'what-if'
  | 'review'
  | 'revocation.add'
  | 'revocation.lift'
  | 'revocation.list';

/**
 * An audit event of a binding write: the broker's event shape with an admin `action` and the
 * version change. `bindingVersion` is the version written (or deleted).
 */
export interface AdminAuditEvent extends AuditEvent {
  readonly action: AdminAction;
  readonly previousVersion: number | null;
  readonly newVersion: number | null;
}

/** Who is writing, from where: the request's part of every event. */
export interface AdminActor {
  readonly token: VerifiedToken;
  readonly rawToken: string;
  readonly origin: RequestOrigin;
}

export interface AdminAuditOptions {
  readonly sink: AuditSink;
  readonly clock: Clock;
  readonly ttlDays: number;
  readonly log: (message: string, data: Record<string, unknown>) => void;
  readonly newEventId?: () => string;
}

interface EventFacts {
  readonly action: AdminAction;
  readonly result: AuditResult;
  readonly reason: Code;
  readonly bindingId: string | undefined;
  readonly roleArn: string | undefined;
  readonly previousVersion: number | null;
  readonly newVersion: number | null;
  /** What was asked (what-if, review); default the version change of a write. */
  readonly detail?: string;
}

export class AdminAudit {
  readonly #options: AdminAuditOptions;
  readonly #newEventId: () => string;

  constructor(options: AdminAuditOptions) {
    this.#options = options;
    this.#newEventId = options.newEventId ?? randomUUID;
  }

  /** Stores the event; StoreError('AuditUnavailable') when it cannot be stored. */
  async record(actor: AdminActor, facts: EventFacts): Promise<AdminAuditEvent> {
    const now = this.#options.clock.now();
    const { token } = actor;
    const event: AdminAuditEvent = this.#storable({
      ...blankEvent({
        eventId: this.#newEventId(),
        at: now.toISOString(),
        sourceIp: actor.origin.sourceIp,
        userAgent: actor.origin.userAgent,
        expiresAt: Math.floor(now.getTime() / 1000) + Math.round(this.#options.ttlDays * 86_400),
      }),
      action: facts.action,
      result: facts.result,
      reason: facts.reason,
      subject: subjectOf(token.issuer, token.subject),
      issuer: token.issuer,
      sub: token.subject,
      username: token.username,
      clientId: token.clientId,
      tokenSha256: sha256Hex(actor.rawToken),
      bindingId: facts.bindingId,
      bindingVersion: facts.newVersion ?? facts.previousVersion ?? undefined,
      roleArn: facts.roleArn,
      detail:
        facts.detail ??
        `version ${facts.previousVersion ?? 'none'} -> ${facts.newVersion ?? 'deleted'}`,
      previousVersion: facts.previousVersion,
      newVersion: facts.newVersion,
    });
    try {
      await this.#options.sink.write(event);
    } catch (err) {
      throw new StoreError('AuditUnavailable', 'the audit log is unavailable', { cause: err });
    }
    return event;
  }

  /** Bounded like every event (storable whatever the token's claims are). */
  #storable(event: AdminAuditEvent): AdminAuditEvent {
    return {
      ...storableEvent(event),
      action: event.action,
      previousVersion: event.previousVersion,
      newVersion: event.newVersion,
    };
  }

  /**
   * One audited write: the attempt is stored first (no event, no write), then the write runs; a
   * failed write records its outcome too (best effort, see the file comment).
   */
  async attempt<T>(
    actor: AdminActor,
    facts: Omit<EventFacts, 'result' | 'reason'>,
    write: () => Promise<T>,
  ): Promise<T> {
    const attempted = await this.record(actor, { ...facts, result: 'grant', reason: 'Granted' });
    try {
      return await write();
    } catch (err) {
      const code = err instanceof BrokerError ? err.code : 'InternalError';
      const result = err instanceof StoreError || code === 'InternalError' ? 'error' : 'deny';
      await this.record(actor, { ...facts, result, reason: code }).catch((auditErr: unknown) =>
        this.#options.log('audit outcome of a failed admin write not stored', {
          attemptEventId: attempted.eventId,
          reason: code,
          error: String(auditErr),
        }),
      );
      // The attempt is recorded (and its outcome, best effort): not to be recorded again.
      throw typeof err === 'object' && err !== null ? alreadyRecorded(err) : err;
    }
  }

  /** A binding store whose writes are audited first (see the file comment). */
  store(inner: BindingStore, actor: AdminActor): BindingStore {
    const attempt = (facts: Omit<EventFacts, 'result' | 'reason'>, write: () => Promise<void>) =>
      this.attempt(actor, facts, write);
    return {
      listByIssuer: (issuer) => inner.listByIssuer(issuer),
      loadPool: (issuer) => inner.loadPool(issuer),
      get: (issuer, id) => inner.get(issuer, id),
      put: (binding: Binding) =>
        attempt(
          {
            action: 'binding.put',
            bindingId: binding.id,
            roleArn: binding.roleArn,
            previousVersion: binding.version === 1 ? null : binding.version - 1,
            newVersion: binding.version,
          },
          () => inner.put(binding),
        ),
      delete: async (issuer, id, version) => {
        // Read first: the event names the role losing a binding, and a delete that cannot
        // succeed is refused without an attempt. The conditional delete still guards the race.
        const current = await currentBinding(inner, issuer, id);
        if (current === null)
          throw new BindingError('BindingNotFound', `binding ${id} does not exist`);
        if (current !== undefined && current.version !== version) {
          throw new BindingError(
            'BindingVersionConflict',
            `binding ${id} is at version ${current.version}`,
          );
        }
        await attempt(
          {
            action: 'binding.delete',
            bindingId: id,
            roleArn: current?.roleArn,
            previousVersion: version,
            newVersion: null,
          },
          () => inner.delete(issuer, id, version),
        );
      },
    };
  }
}

/**
 * The stored binding; `null` when there is none; `undefined` when the item exists but no longer
 * parses (it grants nothing, and an administrator must still be able to delete it).
 */
async function currentBinding(
  store: BindingStore,
  issuer: string,
  id: string,
): Promise<Binding | null | undefined> {
  try {
    return (await store.get(issuer, id)) ?? null;
  } catch (err) {
    if (err instanceof BindingError && err.code === 'BindingInvalid') return undefined;
    throw err;
  }
}
