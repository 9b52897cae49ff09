/**
 * What-if: a proposed trust change (`put`: bindings as a write would send them, `remove`: binding
 * ids) re-evaluated against every subject recorded in the retention window, current bindings vs
 * proposed, per changed binding: who gains access, who loses it, and the decisive statement or
 * condition of each (access.ts, the evaluator's explain). A subject under an active revocation
 * (the kill switch, loaded with the bindings) can assume nothing before or after: it neither
 * gains, loses nor keeps access. Pure: the handler loads the bindings, the revocations and the
 * subjects, and audits the question.
 */
import * as z from 'zod/mini';
import {
  type AccessEnv,
  canAssume,
  decisionFor,
  decisiveReasons,
  prepareSubject,
} from './access.js';
import { subjectOf } from './audit.js';
import { type CompiledBinding, compileBinding } from './binding.js';
import { BINDING_ID, type BindingIssueCode, checkBinding } from './schema/binding.js';
import { parseBindingWrite } from './schema/binding-write.js';
import { parseWith, type SchemaProblem, type SchemaResult, under } from './schema/problems.js';
import type { SimulationReason } from './simulation.js';
import type { KnownSubject } from './subjects.js';
import type { Binding } from './types.js';

/** Most bindings one what-if may put or remove. */
export const MAX_WHAT_IF_CHANGES = 50;
/** Most subjects listed as gaining (and as losing) one binding; the counts are always whole. */
export const MAX_LISTED_IMPACTS = 1000;

export const whatIfBodySchema = z.strictObject({
  /** Proposed bindings, each as `PUT /v1/admin/bindings/{id}` takes it, with its `id`. */
  put: z.optional(z.array(z.unknown()).check(z.maxLength(MAX_WHAT_IF_CHANGES))),
  /** Ids of stored bindings proposed for removal. */
  remove: z.optional(
    z
      .array(z.string().check(z.regex(BINDING_ID, 'must be a binding id ([a-z0-9-]{1,64})')))
      .check(z.maxLength(MAX_WHAT_IF_CHANGES)),
  ),
});

export interface WhatIfTarget {
  /** The pool the question is about. */
  readonly issuer: string;
  /** Its stored bindings now. */
  readonly stored: readonly Binding[];
  /** The pools this broker trusts (a proposed binding is checked as a write would be). */
  readonly issuers: ReadonlySet<string>;
  readonly now: Date;
}

/** The proposal, checked: the bindings put (as they would be stored) and the ids removed. */
export interface ProposedChange {
  readonly put: readonly Binding[];
  readonly remove: readonly string[];
}

type Problem = SchemaProblem<BindingIssueCode>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One proposed binding, checked as a write (`parseBindingWrite`), completed as stored. */
function proposedBinding(raw: unknown, at: string, target: WhatIfTarget): SchemaResult<Binding> {
  const id = isPlainObject(raw) ? raw['id'] : undefined;
  if (typeof id !== 'string' || !BINDING_ID.test(id)) {
    const message = 'each proposed binding names its id ([a-z0-9-]{1,64})';
    return { ok: false, problems: [{ code: 'InvalidValue', pointer: `${at}/id`, message }] };
  }
  const sentIssuer = isPlainObject(raw) ? raw['issuer'] : undefined;
  if (sentIssuer !== undefined && sentIssuer !== target.issuer) {
    const message = "must be the pool's issuer the question is about (or left out)";
    return { ok: false, problems: [{ code: 'InvalidValue', pointer: `${at}/issuer`, message }] };
  }
  const stored = target.stored.find((b) => b.id === id);
  const { id: _id, ...body } = raw as Record<string, unknown>;
  const write = parseBindingWrite(body, {
    id,
    issuer: target.issuer,
    stored,
    issuers: target.issuers,
  });
  if (!write.ok) return { ok: false, problems: under(at, write.problems) };
  const sameRole =
    stored !== undefined && stored.roleArn === write.value['roleArn'] ? stored : undefined;
  const checked = checkBinding({
    ...write.value,
    version: (stored?.version ?? 0) + 1,
    updatedAt: target.now.toISOString(),
    updatedBy: 'what-if',
    // The role's facts as stored (IAM is not called for a question); access does not depend on them.
    roleMaxSessionDuration: sameRole?.roleMaxSessionDuration ?? 3600,
    roleDescription: sameRole?.roleDescription ?? '',
    permissionPolicies: null,
  });
  if (!checked.ok) return { ok: false, problems: under(at, checked.problems) };
  try {
    compileBinding(checked.value.binding);
  } catch {
    const message = 'the trust policy does not compile';
    return {
      ok: false,
      problems: [{ code: 'InvalidValue', pointer: `${at}/trustPolicy`, message }],
    };
  }
  return { ok: true, value: checked.value.binding };
}

/** The body of `POST /v1/admin/what-if`, every problem with its JSON Pointer. */
export function parseWhatIf(
  raw: unknown,
  target: WhatIfTarget,
): SchemaResult<ProposedChange, BindingIssueCode> {
  const shape = parseWith(whatIfBodySchema, raw);
  if (!shape.ok) return shape as SchemaResult<ProposedChange, BindingIssueCode>;
  const problems: Problem[] = [];
  const put: Binding[] = [];
  (shape.value.put ?? []).forEach((item, i) => {
    const parsed = proposedBinding(item, `/put/${i}`, target);
    if (!parsed.ok) problems.push(...(parsed.problems as Problem[]));
    else if (put.some((b) => b.id === parsed.value.id)) {
      const message = 'this binding id is proposed twice';
      problems.push({ code: 'InvalidValue', pointer: `/put/${i}/id`, message });
    } else put.push(parsed.value);
  });
  const remove = shape.value.remove ?? [];
  remove.forEach((id, i) => {
    const pointer = `/remove/${i}`;
    if (!target.stored.some((b) => b.id === id)) {
      problems.push({ code: 'InvalidValue', pointer, message: 'no stored binding has this id' });
    } else if (put.some((b) => b.id === id) || remove.indexOf(id) !== i) {
      problems.push({ code: 'InvalidValue', pointer, message: 'this id is put or removed twice' });
    }
  });
  if (put.length === 0 && remove.length === 0 && problems.length === 0) {
    problems.push({ code: 'Required', pointer: '', message: 'propose at least one put or remove' });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { put, remove } };
}

/** One subject whose access to a binding changes, and why (the decisive statement or condition). */
export interface SubjectImpact {
  /** `<iss>|<sub>`, as the audit log names the subject. */
  readonly subject: string;
  readonly sub: string;
  readonly username: string | null;
  /** When the recorded context was seen (the subject's last vend). */
  readonly lastSeenAt: string;
  /** Some claims were too large to record: the re-evaluation may differ from a real vend. */
  readonly approximate: boolean;
  readonly reasons: readonly SimulationReason[];
}

export interface BindingImpact {
  readonly bindingId: string;
  readonly change: 'create' | 'update' | 'remove';
  /** The role before and after (equal unless the proposal moves the binding to another role). */
  readonly roleArn: { readonly before: string | null; readonly after: string | null };
  /** The first MAX_LISTED_IMPACTS subjects who gain access (by `sub`); `gainCount`: all. */
  readonly gains: readonly SubjectImpact[];
  readonly gainCount: number;
  /** The first MAX_LISTED_IMPACTS subjects who lose access (by `sub`); `loseCount`: all. */
  readonly loses: readonly SubjectImpact[];
  readonly loseCount: number;
  /** Subjects whose access does not change: can assume it before and after. */
  readonly keeps: number;
}

export interface WhatIfInput {
  readonly current: readonly CompiledBinding[];
  readonly change: ProposedChange;
  readonly subjects: readonly KnownSubject[];
  readonly env: AccessEnv;
}

function impactOf(subject: KnownSubject, reasons: SimulationReason[]): SubjectImpact {
  const { record } = subject;
  return {
    subject: subjectOf(record.issuer, record.sub),
    sub: record.sub,
    username: record.username ?? null,
    lastSeenAt: record.lastSeenAt,
    approximate: record.droppedClaims.length > 0,
    reasons,
  };
}

/** Per changed binding, who gains and who loses access (current bindings vs proposed). */
export function whatIf(input: WhatIfInput): BindingImpact[] {
  const { env } = input;
  const byId = new Map(input.current.map((c) => [c.binding.id, c]));
  const changes: { id: string; before?: CompiledBinding; after?: CompiledBinding }[] = [
    ...input.change.put.map((b) => ({
      id: b.id,
      before: byId.get(b.id),
      after: compileBinding(b),
    })),
    ...input.change.remove.map((id) => ({ id, before: byId.get(id) })),
  ];
  const prepared = input.subjects.map((s) => prepareSubject(s, env));
  return changes.map(({ id, before, after }) => {
    const gains: SubjectImpact[] = [];
    const loses: SubjectImpact[] = [];
    let [gainCount, loseCount, keeps] = [0, 0, 0];
    for (const subject of prepared) {
      const had = before !== undefined && canAssume(before, subject, env);
      const has = after !== undefined && canAssume(after, subject, env);
      if (had && has) keeps += 1;
      if (had === has) continue;
      if (has) gainCount += 1;
      else loseCount += 1;
      const list = has ? gains : loses;
      if (list.length >= MAX_LISTED_IMPACTS) continue;
      const reasons =
        after === undefined
          ? [{ code: 'BindingRemoved' }]
          : decisiveReasons(decisionFor(after, subject, env));
      list.push(impactOf(subject, reasons));
    }
    return {
      bindingId: id,
      change: after === undefined ? 'remove' : before === undefined ? 'create' : 'update',
      roleArn: { before: before?.binding.roleArn ?? null, after: after?.binding.roleArn ?? null },
      gains,
      gainCount,
      loses,
      loseCount,
      keeps,
    };
  });
}

/**
 * Two what-ifs of the same change over successive pages of subjects, as one: counts added, the
 * listed subjects kept in page order up to MAX_LISTED_IMPACTS.
 */
export function mergeImpacts(
  a: readonly BindingImpact[],
  b: readonly BindingImpact[],
): BindingImpact[] {
  return a.map((x, i) => {
    const y = b[i];
    if (y === undefined || y.bindingId !== x.bindingId) {
      throw new TypeError('mergeImpacts: not the same change');
    }
    return {
      ...x,
      gains: [...x.gains, ...y.gains].slice(0, MAX_LISTED_IMPACTS),
      gainCount: x.gainCount + y.gainCount,
      loses: [...x.loses, ...y.loses].slice(0, MAX_LISTED_IMPACTS),
      loseCount: x.loseCount + y.loseCount,
      keeps: x.keeps + y.keeps,
    };
  });
}
