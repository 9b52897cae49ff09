/**
 * The access review: every binding × every known subject (subjects table) who can assume it now
 * (access.ts, the decision a vend would reach), with the last time each actually did (the audit
 * log's grants), so stale access stands out — and the same from the subject's side. Pure: the
 * handler pages through the subjects and reads the last grants. The work is proportional to
 * bindings × subjects (`npm run bench:review`).
 */
import { type AccessEnv, canAssume, prepareSubject } from './access.js';
import { subjectOf } from './audit.js';
import type { CompiledBinding } from './binding.js';
import type { KnownSubject } from './subjects.js';

/** Access not used for this many days is stale, unless the question says otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 30;

export interface Assumable {
  readonly subject: KnownSubject;
  /** The ids of the bindings the subject can assume now, in the bindings' order. */
  readonly bindingIds: readonly string[];
}

/** Per subject, the bindings it can assume now. */
export function assumableBindings(
  bindings: readonly CompiledBinding[],
  subjects: readonly KnownSubject[],
  env: AccessEnv,
): Assumable[] {
  return subjects.map((subject) => {
    const prepared = prepareSubject(subject, env);
    const bindingIds: string[] = [];
    for (const compiled of bindings) {
      if (canAssume(compiled, prepared, env)) bindingIds.push(compiled.binding.id);
    }
    return { subject, bindingIds };
  });
}

export interface ReviewUse {
  /** When the subject last received credentials of the binding (vend or console), if within the window. */
  readonly lastUsedAt: string | null;
  /** Never used within the window, or last used more than `staleAfterDays` ago. */
  readonly stale: boolean;
}

export interface ReviewBindingSubject extends ReviewUse {
  readonly subject: string;
  readonly sub: string;
  readonly username: string | null;
  readonly lastSeenAt: string;
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
  }[];
  /** From the subject's side: what each subject of this page can assume. */
  readonly subjects: readonly {
    readonly subject: string;
    readonly sub: string;
    readonly username: string | null;
    readonly lastSeenAt: string;
    /** Some claims were too large to record: the re-evaluation may differ from a real vend. */
    readonly approximate: boolean;
    readonly bindings: readonly ReviewSubjectBinding[];
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
  const subjects = input.assumable.map(({ subject, bindingIds }) => {
    const { record } = subject;
    const key = subjectOf(record.issuer, record.sub);
    return {
      subject: key,
      sub: record.sub,
      username: record.username ?? null,
      lastSeenAt: record.lastSeenAt,
      approximate: record.droppedClaims.length > 0,
      bindings: bindingIds.map((id) => ({
        bindingId: id,
        roleArn: roleOf.get(id) ?? '',
        ...use(key, id),
      })),
    };
  });
  const bindings = input.bindings.map(({ binding }) => ({
    bindingId: binding.id,
    roleArn: binding.roleArn,
    enabled: binding.enabled,
    subjects: subjects.flatMap((s) => {
      const entry = s.bindings.find((b) => b.bindingId === binding.id);
      if (entry === undefined) return [];
      const { subject, sub, username, lastSeenAt } = s;
      return [
        { subject, sub, username, lastSeenAt, lastUsedAt: entry.lastUsedAt, stale: entry.stale },
      ];
    }),
  }));
  return { bindings, subjects };
}
