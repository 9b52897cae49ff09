/**
 * The access questions of administrators, over the subjects table (each subject's last vend
 * context) and the broker's re-evaluation (`@tessera/broker` access.ts):
 *
 * - `POST /v1/admin/what-if {put?, remove?}`: per changed binding, who gains and who loses
 *   access, with the decisive statement or condition of each (what-if.ts);
 * - `GET /v1/admin/review?format=json|csv`: every binding × every known subject who can assume it
 *   now, with the last time each did (the audit log's grants), paged through the subjects.
 *
 * Both apply the pool's revocations, loaded with its bindings (`loadPool`; a revocation that does
 * not parse fails the load: a 5xx, never an answer without the kill switch).
 *
 * Both are audited (actions `what-if` and `review`: they reveal who can assume what) before the
 * answer leaves; an audit log that cannot store the event answers 503.
 */
import {
  type AccessEnv,
  accessReview,
  assumableBindings,
  type Binding,
  type BindingImpact,
  type CompiledBinding,
  compileBinding,
  DEFAULT_STALE_AFTER_DAYS,
  knownSubject,
  MAX_SUBJECT_PAGE,
  mergeImpacts,
  type ProposedChange,
  parseWhatIf,
  type Revocation,
  type SubjectStore,
  subjectOf,
  whatIf,
} from '@tessera/broker';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AdminContext } from './admin-app.js';
import { ConfigError, HttpInputError, invalidBody } from './errors.js';
import { type HttpHandler, httpStack, json } from './http.js';
import { reviewCsv } from './review-csv.js';

/** Largest what-if body: several proposed bindings (a binding write takes one, 16 KB). */
export const WHAT_IF_MAX_BODY_BYTES = 256 * 1024;
/** Most subjects one what-if re-evaluates; beyond, the answer says it is incomplete. */
export const MAX_WHAT_IF_SUBJECTS = 100_000;
const DEFAULT_REVIEW_LIMIT = 50;
/**
 * Most subjects in one review page: a pair is about 400 bytes of JSON (both sides), so 100
 * subjects who can each assume 150 bindings stay within Lambda's 6 MB answer.
 */
const MAX_REVIEW_LIMIT = 100;
/** Audit reads of one review page run this many at a time. */
const GRANT_READS_AT_ONCE = 8;

function subjectsOf(ctx: AdminContext): SubjectStore {
  if (ctx.deps.subjects === null) {
    throw new ConfigError([
      {
        code: 'ConfigInvalid',
        pointer: '/TESSERA_SUBJECTS_TABLE',
        message: 'no subjects table is configured',
      },
    ]);
  }
  return ctx.deps.subjects;
}

/** The pool's bindings, compiled (one that does not compile grants nothing: left out, logged). */
function compiled(ctx: AdminContext, bindings: readonly Binding[]): CompiledBinding[] {
  return bindings.flatMap((binding) => {
    try {
      return [compileBinding(binding)];
    } catch (err) {
      ctx.logger.error('binding does not compile; skipped', {
        bindingId: binding.id,
        errorName: (err as Error)?.name,
      });
      return [];
    }
  });
}

/**
 * The change decided for every subject of the pool within the retention window (at most
 * MAX_WHAT_IF_SUBJECTS), a page at a time: memory holds one page and the (capped) answer.
 */
async function impactsOverPool(
  store: SubjectStore,
  issuer: string,
  current: readonly CompiledBinding[],
  change: ProposedChange,
  env: AccessEnv,
) {
  let bindings: BindingImpact[] | undefined;
  let evaluated = 0;
  let cursor: string | undefined;
  do {
    const page = await store.page(issuer, {
      limit: MAX_SUBJECT_PAGE,
      ...(cursor ? { cursor } : {}),
    });
    const subjects = page.subjects.map(knownSubject);
    const part = whatIf({ current, change, subjects, env });
    bindings = bindings === undefined ? part : mergeImpacts(bindings, part);
    evaluated += subjects.length;
    cursor = page.cursor;
  } while (cursor !== undefined && evaluated < MAX_WHAT_IF_SUBJECTS);
  return { bindings: bindings ?? [], evaluated, complete: cursor === undefined };
}

/** The pool's revocations (loaded with its bindings: the kill switch applies to the answer). */
function accessEnv(ctx: AdminContext, revocations: readonly Revocation[]): AccessEnv {
  return { now: ctx.deps.clock.now(), roleChaining: ctx.config.roleChainingCap, revocations };
}

export function whatIfHandler(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'what-if');
      const issuer = ctx.issuerParam(event, actor);
      const store = subjectsOf(ctx);
      const { bindings: stored, revocations } = await ctx.deps.bindings.loadPool(issuer);
      const env = accessEnv(ctx, revocations);
      const target = { issuer, stored, issuers: ctx.issuers, now: env.now };
      const change = parseWhatIf(event.body as unknown, target);
      if (!change.ok) throw invalidBody(change.problems);
      const current = compiled(ctx, stored);
      const pool = await impactsOverPool(store, issuer, current, change.value, env);
      const { bindings, evaluated, complete } = pool;
      const gains = bindings.reduce((n, b) => n + b.gainCount, 0);
      const loses = bindings.reduce((n, b) => n + b.loseCount, 0);
      await ctx.audit.record(actor, {
        ...NO_BINDING,
        action: 'what-if',
        detail: `put ${ids(change.value.put.map((b) => b.id))}; remove ${ids(change.value.remove)}: ${gains} gain, ${loses} lose, ${evaluated} subjects`,
      });
      return json(200, {
        issuer,
        evaluatedAt: env.now.toISOString(),
        subjectsEvaluated: evaluated,
        complete,
        bindings,
      });
    },
    { ...ctx.stack('what-if', true), maxBodyBytes: WHAT_IF_MAX_BODY_BYTES },
  );
}

const NO_BINDING = {
  result: 'grant',
  reason: 'Granted',
  bindingId: undefined,
  roleArn: undefined,
  previousVersion: null,
  newVersion: null,
} as const;

const ids = (list: readonly string[]) => (list.length === 0 ? '-' : list.join(','));

const REVIEW_PARAMS = new Set(['issuer', 'format', 'limit', 'cursor', 'staleAfterDays', 'by']);

interface ReviewQuery {
  readonly format: 'json' | 'csv';
  readonly by: 'binding' | 'subject';
  readonly limit: number;
  readonly cursor: string | undefined;
  readonly staleAfterDays: number;
}

function queryProblem(name: string, message: string): HttpInputError {
  return new HttpInputError('InvalidRequest', message, name, { location: 'query' });
}

function intParam(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) {
    throw queryProblem(name, `${name} must be an integer 1..${max}`);
  }
  return n;
}

/** The review's query string, checked: each problem names its parameter. */
export function reviewQuery(event: APIGatewayProxyEventV2): ReviewQuery {
  const query = event.queryStringParameters ?? {};
  for (const key of Object.keys(query)) {
    if (!REVIEW_PARAMS.has(key)) throw queryProblem(key, `unknown parameter ${key}`);
  }
  const format = query['format'] ?? 'json';
  if (format !== 'json' && format !== 'csv') throw queryProblem('format', 'format is json or csv');
  const by = query['by'] ?? 'binding';
  if (by !== 'binding' && by !== 'subject') throw queryProblem('by', 'by is binding or subject');
  return {
    format,
    by,
    limit: intParam(query['limit'], 'limit', DEFAULT_REVIEW_LIMIT, MAX_REVIEW_LIMIT),
    cursor: query['cursor'],
    staleAfterDays: intParam(
      query['staleAfterDays'],
      'staleAfterDays',
      DEFAULT_STALE_AFTER_DAYS,
      3650,
    ),
  };
}

/** `items` mapped with at most `limit` calls in flight, answers in order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export function reviewHandler(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'review');
      const issuer = ctx.issuerParam(event, actor);
      const query = reviewQuery(event);
      const store = subjectsOf(ctx);
      if (query.cursor !== undefined && !store.isCursorOf(query.cursor, issuer)) {
        throw queryProblem('cursor', 'cursor is not a cursor of this review');
      }
      const pool = await ctx.deps.bindings.loadPool(issuer);
      const env = accessEnv(ctx, pool.revocations);
      const page = await store.page(issuer, {
        limit: query.limit,
        ...(query.cursor ? { cursor: query.cursor } : {}),
      });
      const bindings = compiled(ctx, pool.bindings);
      const assumable = assumableBindings(bindings, page.subjects.map(knownSubject), env);
      // Last use within the subjects' retention window (a record older than it is gone too).
      const since = new Date(env.now.getTime() - ctx.config.subjectTtlDays * 86_400_000);
      const uses = await mapLimit(
        assumable,
        GRANT_READS_AT_ONCE,
        async ({ subject, bindingIds, withheldIds }) => {
          const key = subjectOf(subject.record.issuer, subject.record.sub);
          const ids = [...bindingIds, ...withheldIds];
          return [key, await ctx.deps.grants.lastGrants(key, ids, since.toISOString())] as const;
        },
      );
      const review = accessReview({
        bindings,
        assumable,
        lastUse: new Map(uses),
        now: env.now,
        staleAfterDays: query.staleAfterDays,
      });
      await ctx.audit.record(actor, {
        ...NO_BINDING,
        action: 'review',
        detail: `${query.format} page of ${page.subjects.length} subjects${query.cursor ? ' (cursor)' : ''}`,
      });
      const meta = {
        issuer,
        generatedAt: env.now.toISOString(),
        usedSince: since.toISOString(),
        staleAfterDays: query.staleAfterDays,
      };
      if (query.format === 'csv') return reviewCsv(review, query.by, page.cursor);
      return json(200, { ...meta, ...review, ...(page.cursor ? { cursor: page.cursor } : {}) });
    },
    ctx.stack('review', false),
  );
}
