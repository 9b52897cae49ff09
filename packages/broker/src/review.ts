/**
 * The access review: every binding × every known subject (subjects table) who can assume it now
 * (access.ts, the decision a vend would reach), with the last time each actually did (the audit
 * log's grants), so stale access stands out — and the same from the subject's side. A subject
 * under an active revocation (the kill switch) can assume nothing: it is listed apart, with its
 * revocation and the bindings the revocation withholds (what lifting it gives back). Pure: the
 * handler pages through the subjects and reads the last grants. The work is proportional to
 * bindings × subjects (`npm run bench:review`).
 */
import { type AccessEnv, allowedUnrevoked, prepareSubject } from './access.js';
import { subjectOf } from './audit.js';
import type { CompiledBinding } from './binding.js';
import type { Revocation } from './revocation.js';
import type { KnownSubject } from './subjects.js';

/** Access not used for this many days is stale, unless the question says otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 30;

export interface Assumable {
  readonly subject: KnownSubject;
  /** The ids of the bindings the subject can assume now, in the bindings' order. */
  readonly bindingIds: readonly string[];
  /** The active revocation naming the subject (then `bindingIds` is empty), if any. */
  readonly revoked: Revocation | undefined;
  /** The bindings the subject could assume but for its revocation (empty when not revoked). */
  readonly withheldIds: readonly string[];
}

/** Per subject, the bindings it can assume now (and those its revocation withholds). */
export function assumableBindings(
  bindings: readonly CompiledBinding[],
  subjects: readonly KnownSubject[],
  env: AccessEnv,
): Assumable[] {
  return subjects.map((subject) => {
    const prepared = prepareSubject(subject, env);
    const allowed: string[] = [];
    for (const compiled of bindings) {
      if (allowedUnrevoked(compiled, prepared, env)) allowed.push(compiled.binding.id);
    }
    const { revoked } = prepared;
    return revoked === undefined
      ? { subject, bindingIds: allowed, revoked, withheldIds: [] }
      : { subject, bindingIds: [], revoked, withheldIds: allowed };
  });
}

export interface ReviewUse {
  /** When the subject last received credentials of the binding (vend or console), if within the window. */
  readonly lastUsedAt: string | null;
  /** Never used within the window, or last used more than `staleAfterDays` ago. */
  readonly stale: boolean;
}

/** The revocation that refuses a subject every vend now (the kill switch). */
export interface RevokedMarker {
  readonly revocationId: string;
  readonly reason: string;
  /** When it ends by itself; null: until lifted. */
  readonly until: string | null;
}

export interface ReviewBindingSubject extends ReviewUse {
  readonly subject: string;
  readonly sub: string;
  readonly username: string | null;
  readonly lastSeenAt: string;
}

/** A subject trust allows on a binding, refused by its revocation. */
export interface ReviewRevokedSubject extends ReviewBindingSubject {
  readonly revoked: RevokedMarker;
}

export interface ReviewSubjectBinding extends ReviewUse {
  readonly bindingId: string;
  readonly roleArn: string;
}

export interface AccessReview {
  /** From the binding's side: who can assume it (subjects of this page). */
  readonly bindings: readonly {
    readonly bindingId: string;
    readonly roleArn: string;
    readonly enabled: boolean;
    readonly subjects: readonly ReviewBindingSubject[];
    /** Subjects trust allows but a revocation refuses: they cannot assume it now. */
    readonly revokedSubjects: readonly ReviewRevokedSubject[];
  }[];
  /** From the subject's side: what each subject of this page can assume. */
  readonly subjects: readonly {
    readonly subject: string;
    readonly sub: string;
    readonly username: string | null;
    readonly lastSeenAt: string;
    /** Some claims were too large to record: the re-evaluation may differ from a real vend. */
    readonly approximate: boolean;
    /** The active revocation naming the subject (then `bindings` is empty), or null. */
    readonly revoked: RevokedMarker | null;
    readonly bindings: readonly ReviewSubjectBinding[];
    /** What the revocation withholds: the bindings trust allows (empty when not revoked). */
    readonly revokedBindings: readonly ReviewSubjectBinding[];
  }[];
}

export interface ReviewInput {
  readonly bindings: readonly CompiledBinding[];
  readonly assumable: readonly Assumable[];
  /** Per subject (`<iss>|<sub>`), binding id -> the last grant's time. */
  readonly lastUse: ReadonlyMap<string, ReadonlyMap<string, string>>;
  readonly now: Date;
  readonly staleAfterDays: number;
}

/** Both sides of the review of one page of subjects. */
export function accessReview(input: ReviewInput): AccessReview {
  const staleBefore = new Date(input.now.getTime() - input.staleAfterDays * 86_400_000);
  const use = (subject: string, bindingId: string): ReviewUse => {
    const lastUsedAt = input.lastUse.get(subject)?.get(bindingId) ?? null;
    return { lastUsedAt, stale: lastUsedAt === null || lastUsedAt < staleBefore.toISOString() };
  };
  const roleOf = new Map(input.bindings.map((c) => [c.binding.id, c.binding.roleArn]));
  const subjects = input.assumable.map(({ subject, bindingIds, revoked, withheldIds }) => {
    const { record } = subject;
    const key = subjectOf(record.issuer, record.sub);
    const entries = (ids: readonly string[]) =>
      ids.map((id) => ({ bindingId: id, roleArn: roleOf.get(id) ?? '', ...use(key, id) }));
    return {
      subject: key,
      sub: record.sub,
      username: record.username ?? null,
      lastSeenAt: record.lastSeenAt,
      approximate: record.droppedClaims.length > 0,
      revoked: revoked === undefined ? null : revokedMarker(revoked),
      bindings: entries(bindingIds),
      revokedBindings: entries(withheldIds),
    };
  });
  const bindings = input.bindings.map(({ binding }) => ({
    bindingId: binding.id,
    roleArn: binding.roleArn,
    enabled: binding.enabled,
    subjects: subjects.flatMap((s) => {
      const entry = s.bindings.find((b) => b.bindingId === binding.id);
      return entry === undefined ? [] : [bindingSubject(s, entry)];
    }),
    revokedSubjects: subjects.flatMap((s) => {
      const entry = s.revokedBindings.find((b) => b.bindingId === binding.id);
      if (entry === undefined || s.revoked === null) return [];
      return [{ ...bindingSubject(s, entry), revoked: s.revoked }];
    }),
  }));
  return { bindings, subjects };
}

function revokedMarker(revocation: Revocation): RevokedMarker {
  return {
    revocationId: revocation.id,
    reason: revocation.reason,
    until: revocation.until ?? null,
  };
}

function bindingSubject(
  s: Pick<ReviewBindingSubject, 'subject' | 'sub' | 'username' | 'lastSeenAt'>,
  entry: ReviewUse,
): ReviewBindingSubject {
  const { subject, sub, username, lastSeenAt } = s;
  return { subject, sub, username, lastSeenAt, lastUsedAt: entry.lastUsedAt, stale: entry.stale };
}
