/**
 * Evaluate: one request against the policies that apply to it, as AWS documents in "Policy
 * evaluation logic", "Cross-account policy evaluation logic", "Permissions boundaries for IAM
 * entities" and "Session policies". Returns the decision, the statements that decided it and —
 * with `{ explain: true }` — every statement considered, element by element.
 *
 * The per-statement question ("does this statement apply to the request?") is answered by
 * `applies` (fast, short-circuiting, allocation-free) or by `explainStatement` (every element and
 * condition, with words). The combining rule is the table in `decide`.
 *
 * Two readings feed the table without changing it: a request value that is not of its operator's
 * type makes the condition hold in a Deny statement and fail in an Allow statement (conditions.ts,
 * the reading that can never grant), and any internal failure reported in `errors` turns an
 * `Allow` into `ImplicitDeny` (see `evaluate`).
 */
import { type ArnMatcher, compileArnPieces, matchArn } from './arn.js';
import { BoundedMap, type CacheBounds } from './cache.js';
import {
  type CompiledStatement,
  isPolicy,
  type Policy,
  parsePolicy,
  type ResourcePattern,
  type StatementWords,
} from './compile.js';
import { type CompiledCondition, explainCondition, testCondition } from './conditions.js';
import { type ContextRecord, quote, RequestContext } from './context.js';
import { describeThrown, type EvaluationErrorCode, PolicyError } from './errors.js';
import type { PolicyIssue } from './parse.js';
import {
  describeMatchers,
  describePrincipal,
  matchPrincipal,
  notPrincipalExempts,
  type PrincipalMatch,
  strongerMatch,
} from './principal.js';
import { checkResourcePolicyKind, inferResourcePolicyKind } from './resource-kind.js';
import type {
  EvaluateOptions,
  EvaluationDecision,
  EvaluationDiagnostic,
  EvaluationResult,
  ExplainedStatement,
  ExplainReason,
  MatchedStatement,
  RequestPrincipal,
  ResourcePolicyKind,
} from './types.js';
import { type Template, type TemplateCache, unresolvedVariable } from './variables.js';
import { matchGlob } from './wildcard.js';

export type PolicySource = Policy | string | object;

export interface EvaluateInput {
  readonly request: {
    readonly action: string;
    readonly resource: string;
    readonly principal?: RequestPrincipal;
    readonly context?: ContextRecord;
  };
  readonly identityPolicies?: readonly PolicySource[];
  readonly permissionsBoundary?: PolicySource;
  readonly sessionPolicies?: readonly PolicySource[];
  /** A resource-based policy (a bucket policy), a role's trust policy, or a KMS key policy. */
  readonly resourcePolicy?: PolicySource;
  /**
   * What `resourcePolicy` is (resource-kind.ts): in the same account a `trust` or `kms-key` policy
   * must name the principal itself, an identity-policy Allow alone is not enough. Inferred from the
   * action and resource ARN when absent (a role ARN with an STS action: `trust`; a KMS key ARN with
   * a KMS action: `kms-key`; otherwise `resource`). Every role has a trust policy and every key a
   * key policy: without a `resourcePolicy`, `trust` and `kms-key` mean one that names nobody (pass
   * `'resource'` to ask about the identity side alone).
   */
  readonly resourcePolicyKind?: ResourcePolicyKind;
  /** The principal and the resource are in different accounts. */
  readonly crossAccount?: boolean;
}

type Category = 'identity' | 'boundary' | 'session' | 'resource';

interface NamedPolicy {
  readonly name: string;
  readonly category: Category;
  readonly policy: Policy;
}

/** What one request needs while statements are checked. */
interface Request {
  readonly action: string;
  readonly resource: string;
  readonly principal: RequestPrincipal | undefined;
  readonly context: RequestContext;
  /** A permissions boundary is present: a resource-policy Deny with NotPrincipal then always applies. */
  readonly boundaryPresent: boolean;
  /** More than one statement in all: only then can a shared condition or pattern repeat. */
  readonly memoize: boolean;
  /** What this call already decided (see `Decided`); null until a check needs it. */
  decided: Decided | null;
}

/**
 * A per-call memo: a condition or a resource template written alike in several statements is one
 * shared object (compile.ts), decided once per request and then found by identity in a short
 * scan (role policies repeat a handful of conditions and templates across all their statements).
 */
interface Decided {
  readonly conditions: CompiledCondition[];
  readonly conditionResults: boolean[];
  readonly patterns: ResourcePattern[];
  readonly patternResults: boolean[];
}

interface Hit {
  readonly category: Category;
  readonly matched: MatchedStatement;
}

/** What each category said; filled while statements are checked, read by `decide`. */
interface Summary {
  explicitDeny: boolean;
  identityAllow: boolean;
  boundaryAllow: boolean;
  sessionAllow: boolean;
  /** The strongest way a resource-policy Allow named the principal. */
  resourceAllow: PrincipalMatch;
  readonly hasIdentity: boolean;
  readonly hasBoundary: boolean;
  readonly hasSession: boolean;
  readonly hasResource: boolean;
  readonly crossAccount: boolean;
  /** A trust or KMS key policy: in the same account it must name the principal (row 4). */
  readonly resourceMustName: boolean;
}

const NOT_APPLIED = 'none';
const NO_MATCHES: readonly MatchedStatement[] = Object.freeze([]);
const IDENTITY_NAMES = Array.from({ length: 32 }, (_, i) => `identity[${i}]`);
const SESSION_NAMES = Array.from({ length: 32 }, (_, i) => `session[${i}]`);

/**
 * Decides one request. Throws PolicyError for an invalid document, or a valid one IAM refuses in
 * the slot it is given (see `collectPolicies`): callers fail closed. Never throws otherwise.
 *
 * Errors as data (after cedar-go's `Authorize` and its `Diagnostic`): anything else thrown while
 * reading a policy, checking a statement or combining the answers — a bug, or a caller's context
 * object whose getters throw — is reported in `errors` with its policy slot, statement and code,
 * never hidden in an ordinary denial. A failed statement is skipped and the others are still
 * checked (so every failure is reported), and any error makes the decision a deny: `Allow`
 * becomes `ImplicitDeny` (a statement that could not be checked might have been a Deny).
 */
export function evaluate(input: EvaluateInput, options?: EvaluateOptions): EvaluationResult {
  let policies: NamedPolicy[];
  try {
    policies = collectPolicies(input); // throws PolicyError for an invalid document
  } catch (err) {
    if (!(err instanceof SlotFailure)) throw err;
    return failed([diagnostic(err.slot, -1, 'PolicyFailed', err.thrown)]);
  }
  // An unknown kind is a caller's bug: thrown (TypeError), never guessed.
  const kind =
    input.resourcePolicyKind === undefined
      ? undefined
      : checkResourcePolicyKind(input.resourcePolicyKind);
  const errors: EvaluationDiagnostic[] = [];
  try {
    return run(input, policies, kind, options?.explain === true, errors);
  } catch (err) {
    errors.push(diagnostic('', -1, 'DecisionFailed', err));
    return failed(errors);
  }
}

const NO_ERRORS: readonly EvaluationDiagnostic[] = Object.freeze([]);

function failed(errors: readonly EvaluationDiagnostic[]): EvaluationResult {
  return { decision: 'ImplicitDeny', matched: NO_MATCHES, errors };
}

function diagnostic(
  policy: string,
  statement: number,
  code: EvaluationErrorCode,
  thrown: unknown,
): EvaluationDiagnostic {
  return { policy, statement, code, message: describeThrown(thrown) };
}

/** A policy slot whose document could not be read for a reason other than a PolicyError (a bug). */
class SlotFailure extends Error {
  constructor(
    readonly slot: string,
    readonly thrown: unknown,
  ) {
    super(`policy ${slot} failed`);
  }
}

function run(
  input: EvaluateInput,
  policies: readonly NamedPolicy[],
  givenKind: ResourcePolicyKind | undefined,
  explain: boolean,
  errors: EvaluationDiagnostic[],
): EvaluationResult {
  const raw = input.request;
  const action = String(raw.action).toLowerCase();
  const kind: ResourcePolicyKind =
    givenKind ?? inferResourcePolicyKind(action, String(raw.resource));
  const req: Request = {
    action,
    resource: String(raw.resource),
    principal: raw.principal,
    context: new RequestContext(raw.context),
    boundaryPresent: input.permissionsBoundary !== undefined,
    memoize: policies.length > 1 || (policies[0]?.policy.statements.length ?? 0) > 1,
    decided: null,
  };
  const summary: Summary = {
    explicitDeny: false,
    identityAllow: false,
    boundaryAllow: false,
    sessionAllow: false,
    resourceAllow: NOT_APPLIED,
    hasIdentity: (input.identityPolicies?.length ?? 0) > 0,
    hasBoundary: input.permissionsBoundary !== undefined,
    hasSession: (input.sessionPolicies?.length ?? 0) > 0,
    hasResource: input.resourcePolicy !== undefined,
    crossAccount: input.crossAccount === true,
    resourceMustName: kind !== 'resource',
  };
  let hits: Hit[] | null = null;
  const explained: ExplainedStatement[] | undefined = explain ? [] : undefined;
  const texts: RequestTexts | undefined = explain
    ? {
        action: 'action ' + quote(String(raw.action)),
        resource: 'resource ' + quote(String(raw.resource)),
        principal: describePrincipal(raw.principal),
      }
    : undefined;
  for (const named of policies) {
    const statements = named.policy.statements;
    let i = 0;
    while (i < statements.length) {
      try {
        for (; i < statements.length; i++) {
          const stmt = statements[i]!;
          const match =
            explained === undefined
              ? applies(stmt, named.category, req)
              : explainStatement(stmt, named, req, texts!, explained);
          if (match === NOT_APPLIED) continue;
          record(summary, named.category, stmt, match);
          if (hits === null) hits = [];
          hits.push({ category: named.category, matched: matchedOf(named.name, stmt) });
        }
      } catch (err) {
        errors.push(diagnostic(named.name, i, 'StatementFailed', err)); // skip it, check the rest
        i++;
      }
    }
  }
  const decided = decide(summary);
  // Any error: never Allow (a statement that could not be checked might have been a Deny).
  const decision =
    errors.length > 0 && decided.decision === 'Allow' ? 'ImplicitDeny' : decided.decision;
  const matched = hits === null ? NO_MATCHES : selectMatched(hits, decision, decided.from);
  const reported = errors.length === 0 ? NO_ERRORS : errors;
  return explained === undefined
    ? { decision, matched, errors: reported }
    : { decision, matched, explain: explained, errors: reported };
}

function record(
  s: Summary,
  category: Category,
  stmt: CompiledStatement,
  match: PrincipalMatch,
): void {
  if (stmt.effect === 'Deny') {
    s.explicitDeny = true;
    return;
  }
  switch (category) {
    case 'identity':
      s.identityAllow = true;
      return;
    case 'boundary':
      s.boundaryAllow = true;
      return;
    case 'session':
      s.sessionAllow = true;
      return;
    case 'resource':
      s.resourceAllow = strongerMatch(s.resourceAllow, match);
      return;
  }
}

/** Which categories' Allow statements a decision rests on. */
type Contributors = ReadonlySet<Category>;

const IDENTITY_SIDE: Contributors = new Set<Category>(['identity', 'boundary', 'session']);
const ALL: Contributors = new Set<Category>(['identity', 'boundary', 'session', 'resource']);
const RESOURCE_ONLY: Contributors = new Set<Category>(['resource']);
const RESOURCE_LIMITED: Contributors = new Set<Category>(['resource', 'boundary', 'session']);
const NONE: Contributors = new Set<Category>();

/**
 * The combining rule. "side" = identity ∩ boundary ∩ session: an identity-based policy allows, and
 * the permissions boundary (if any) allows, and some session policy (if any) allows.
 * "limits" = the boundary (if any) and a session policy (if any) allow.
 * "names" = how a resource-policy Allow that applied names the principal (principal.ts): `direct`
 * (its own ARN, or `*` constrained by `aws:PrincipalArn`), `role` (its role ARN, or `*` without
 * that constraint), `account` (its account: delegates to identity policies), or not at all.
 * "kind" = resource (bucket, queue …) | trust (role trust policy) | kms-key (resource-kind.ts).
 *
 * | # | explicit Deny | cross-account | side | names                      | kind           | decision     | doc
 * |---|---------------|---------------|------|----------------------------|----------------|--------------|-----
 * | 1 | in any policy | any           | any  | any                        | any            | ExplicitDeny | evaluation logic: "an explicit deny in any policy overrides any allow"
 * | 2 | no            | yes           | yes  | any way                    | any            | Allow        | cross-account: the identity side AND the resource policy must allow
 * | 3 | no            | yes           | any  | not at all                 | any            | ImplicitDeny |
 * | 4 | no            | no            | yes  | any, or not at all         | resource       | Allow        | same account: identity-based ∩ boundary ∩ session is enough
 * | 4'| no            | no            | yes  | any way (account included) | trust, kms-key | Allow        | denyallow: "IAM role trust policies and KMS key policies are exceptions … they must explicitly allow access for principals"; KMS key-policies: "Without permission from the key policy, IAM policies that allow permissions have no effect"
 * | 5 | no            | no            | any  | direct                     | any            | Allow        | not limited by an implicit deny in a boundary / session policy: IAM user ARN (Permissions boundaries), session ARN (Session policies), `*` constrained by aws:PrincipalArn (denyallow, "Resource-based policies")
 * | 6 | no            | no            | any  | role, and limits hold      | any            | Allow        | "resource-based policies that grant permissions to an IAM role ARN are limited by an implicit deny in a permissions boundary or session policy"
 * | 7 | otherwise (an identity Allow alone under trust/kms-key; a same-account Allow naming only the account without side) | ImplicitDeny | no policy allows (also: no policies at all)
 *
 * `*` without an `aws:PrincipalArn` constraint (row 6): the page exempts a wildcard grant from
 * boundaries and session policies only when `aws:PrincipalArn` constrains it, and limits a grant
 * to a role ARN; a bare `*` is at most as specific as the role ARN (it names every session of every
 * role), so it is limited like one. Without a boundary or session policy "limits" hold trivially,
 * so a same-account `*` grant alone still allows.
 */
function decide(s: Summary): {
  readonly decision: EvaluationDecision;
  readonly from: Contributors;
} {
  const limits = (!s.hasBoundary || s.boundaryAllow) && (!s.hasSession || s.sessionAllow);
  const side = s.hasIdentity && s.identityAllow && limits;
  const resource = s.resourceAllow;
  if (s.explicitDeny) return { decision: 'ExplicitDeny', from: NONE }; // 1
  if (s.crossAccount) {
    return side && resource !== NOT_APPLIED ? { decision: 'Allow', from: ALL } : implicitDeny; // 2, 3
  }
  if (side && (resource !== NOT_APPLIED || !s.resourceMustName)) {
    return { decision: 'Allow', from: resource === NOT_APPLIED ? IDENTITY_SIDE : ALL }; // 4, 4'
  }
  if (resource === 'direct') return { decision: 'Allow', from: RESOURCE_ONLY }; // 5
  if (resource === 'role' && limits) return { decision: 'Allow', from: RESOURCE_LIMITED }; // 6
  return implicitDeny; // 7
}

const implicitDeny = { decision: 'ImplicitDeny', from: NONE } as const;

/**
 * `matched`: ExplicitDeny → every Deny statement that applied; Allow → the Allow statements that
 * applied in the policies the decision rests on; ImplicitDeny → every Allow statement that applied
 * (allows that were not enough, e.g. an identity Allow outside the boundary). Policy order
 * (identity, boundary, session, resource), then statement order.
 */
function selectMatched(
  hits: readonly Hit[],
  decision: EvaluationDecision,
  from: Contributors,
): MatchedStatement[] {
  const out: MatchedStatement[] = [];
  for (const hit of hits) {
    const m = hit.matched;
    const keep =
      decision === 'ExplicitDeny'
        ? m.effect === 'Deny'
        : decision === 'Allow'
          ? m.effect === 'Allow' && from.has(hit.category)
          : m.effect === 'Allow';
    if (keep) out.push(m);
  }
  return out;
}

function matchedOf(policy: string, stmt: CompiledStatement): MatchedStatement {
  return stmt.sid === undefined
    ? { policy, statement: stmt.index, effect: stmt.effect }
    : { policy, statement: stmt.index, sid: stmt.sid, effect: stmt.effect };
}

// ---------------------------------------------------------------------------------------------
// Policies

/**
 * Compiled policies by their JSON text:
 * - key: the exact text a caller passed (untrusted: a stored or request-borne document);
 * - value: its compiled `Policy` (immutable, shared by every call that passes the same text);
 * - bound: `TEXT_CACHE_BOUNDS` — 512 texts, 8 MiB as weighed (cache.ts; a compiled policy is
 *   weighed at `COMPILED_BYTES_PER_CHAR` bytes per character of its text, measured with
 *   `node --expose-gc` on the benchmark's policies), texts over 64 Ki characters never kept
 *   (IAM's largest documents are 20 KB); oldest dropped first; no TTL (a function of the text);
 * - why: callers that hold policies as text (stored documents) pass the same few texts on every
 *   call; parsing and compiling them each time would dominate evaluation.
 */
export const TEXT_CACHE_BOUNDS: CacheBounds = {
  entries: 512,
  bytes: 8 * 1024 * 1024,
  keyChars: 64 * 1024,
};
const COMPILED_BYTES_PER_CHAR = 24;
const textCache = new BoundedMap<Policy>(
  TEXT_CACHE_BOUNDS,
  (_policy, text) => COMPILED_BYTES_PER_CHAR * text.length,
);

/** The slot's policy; a failure other than a PolicyError (a bug) becomes a SlotFailure. */
function slotPolicy(slot: string, source: PolicySource): Policy {
  try {
    return toPolicy(source);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw new SlotFailure(slot, err);
  }
}

function toPolicy(source: PolicySource): Policy {
  if (isPolicy(source)) return source;
  if (typeof source !== 'string') return parsePolicy(source);
  const cached = textCache.get(source);
  if (cached !== undefined) return cached;
  const policy = parsePolicy(source);
  textCache.set(source, policy);
  return policy;
}

/**
 * Every policy of the input, compiled, in evaluation order. Throws PolicyError for an invalid
 * document, and for a valid one IAM would refuse in its slot (fail closed: such a statement must
 * never be read as "every resource" or "grants nothing" silently):
 * - identity, boundary, session: a statement with Principal/NotPrincipal (`PrincipalNotAllowed`)
 *   or without Resource/NotResource (`MissingResource`);
 * - resource (a resource policy or a role trust policy): a statement without Principal/NotPrincipal
 *   (`MissingPrincipal`). A trust policy has no Resource: that is fine.
 * The checks were done by the compiler (`slotIssues`); here they cost one field read per policy.
 */
function collectPolicies(input: EvaluateInput): NamedPolicy[] {
  const out: NamedPolicy[] = [];
  const identity = input.identityPolicies ?? [];
  for (let i = 0; i < identity.length; i++) {
    const name = IDENTITY_NAMES[i] ?? `identity[${i}]`;
    out.push({ name, category: 'identity', policy: identitySlot(name, identity[i]!) });
  }
  if (input.permissionsBoundary !== undefined) {
    out.push({
      name: 'boundary',
      category: 'boundary',
      policy: identitySlot('boundary', input.permissionsBoundary),
    });
  }
  const session = input.sessionPolicies ?? [];
  for (let i = 0; i < session.length; i++) {
    const name = SESSION_NAMES[i] ?? `session[${i}]`;
    out.push({ name, category: 'session', policy: identitySlot(name, session[i]!) });
  }
  if (input.resourcePolicy !== undefined) {
    const policy = slotPolicy('resource', input.resourcePolicy);
    refuse(policy.slotIssues.resource);
    out.push({ name: 'resource', category: 'resource', policy });
  }
  return out;
}

function identitySlot(name: string, source: PolicySource): Policy {
  const policy = slotPolicy(name, source);
  refuse(policy.slotIssues.identity);
  return policy;
}

function refuse(issue: PolicyIssue | null): void {
  if (issue !== null) throw new PolicyError(issue.code, issue.path, issue.message);
}

// ---------------------------------------------------------------------------------------------
// One statement, fast

function applies(stmt: CompiledStatement, category: Category, req: Request): PrincipalMatch {
  if (!actionMatches(stmt, req.action)) return NOT_APPLIED;
  if (stmt.resource !== null && !resourceMatches(stmt, req)) return NOT_APPLIED;
  const match = principalMatches(stmt, category, req);
  if (match === NOT_APPLIED) return NOT_APPLIED;
  const conditions = stmt.conditions;
  for (let i = 0; i < conditions.length; i++) {
    if (!conditionHolds(conditions[i]!, req)) return NOT_APPLIED;
  }
  return match;
}

function decidedOf(req: Request): Decided {
  req.decided ??= { conditions: [], conditionResults: [], patterns: [], patternResults: [] };
  return req.decided;
}

/** `testCondition`, decided once per request for a condition shared by several statements. */
function conditionHolds(cond: CompiledCondition, req: Request): boolean {
  if (!req.memoize) return testCondition(cond, req.context);
  const d = decidedOf(req);
  const seen = d.conditions;
  for (let i = 0; i < seen.length; i++) if (seen[i] === cond) return d.conditionResults[i]!;
  const holds = testCondition(cond, req.context);
  if (seen.length < MEMO_MAX) {
    seen.push(cond);
    d.conditionResults.push(holds);
  }
  return holds;
}

/** A memo this long is scanned no further: a policy that repeats nothing gains nothing from it. */
const MEMO_MAX = 32;

function actionMatches(stmt: CompiledStatement, action: string): boolean {
  let any = matchGlob(stmt.firstAction, action);
  if (!any && stmt.actionCount > 1) {
    const globs = stmt.action.globs;
    for (let i = 1; i < globs.length; i++) {
      if (matchGlob(globs[i]!, action)) {
        any = true;
        break;
      }
    }
  }
  return stmt.notAction ? !any : any;
}

function resourceMatches(stmt: CompiledStatement, req: Request): boolean {
  const resource = stmt.resource!;
  const patterns = resource.patterns;
  const not = resource.element === 'NotResource';
  // NotResource with a variable that does not resolve is false, never "every resource".
  if (
    not &&
    resource.templates.length > 0 &&
    unresolvedVariable(resource.templates, req.context) !== null
  ) {
    return false;
  }
  let any = false;
  for (let i = 0; i < patterns.length; i++) {
    if (patternMatches(patterns[i]!, req)) {
      any = true;
      break;
    }
  }
  return not ? !any : any;
}

function patternMatches(pattern: ResourcePattern, req: Request): boolean {
  const { template, cache } = pattern;
  if (template === null || cache === null) return matchArn(pattern.matcher, req.resource);
  if (!req.memoize) return templateMatches(template, cache, req);
  const d = decidedOf(req);
  const seen = d.patterns;
  for (let i = 0; i < seen.length; i++) if (seen[i] === pattern) return d.patternResults[i]!;
  const matches = templateMatches(template, cache, req);
  if (seen.length < MEMO_MAX) {
    seen.push(pattern);
    d.patternResults.push(matches);
  }
  return matches;
}

function templateMatches(
  template: Template,
  cache: TemplateCache<ArnMatcher>,
  req: Request,
): boolean {
  const matcher = cache.get(template, req.context, compileArnPieces);
  // An unresolved variable: this pattern matches nothing (not everything).
  return matcher !== null && matchArn(matcher, req.resource);
}

/**
 * 'none' when the Principal element excludes the request. Statements without one are identity-side
 * (`collectPolicies` refused a resource policy without Principal): they apply 'direct'.
 */
function principalMatches(
  stmt: CompiledStatement,
  category: Category,
  req: Request,
): PrincipalMatch {
  const p = stmt.principal;
  if (p === null) return category === 'resource' ? NOT_APPLIED : 'direct';
  if (p.element === 'Principal') {
    const match = matchPrincipal(p, req.principal);
    // `*` constrained by aws:PrincipalArn: the conditions (checked by the caller) name the
    // principal's ARN, a grant not limited by boundaries or session policies (`decide`, row 5).
    return match !== NOT_APPLIED && stmt.wildcardByPrincipalArn ? 'direct' : match;
  }
  if (stmt.effect === 'Allow') {
    // NotPrincipal + Allow: unsupported by AWS ("NotPrincipal must be used with Deny"); its former
    // definition was "every principal except the ones named". A principal that any entry names —
    // its ARN, its role, its account, `*` — is never allowed; any other gets a grant like one to
    // `*` (limited by boundary and session policies), never one to this exact principal.
    return matchPrincipal(p, req.principal) === NOT_APPLIED ? 'role' : NOT_APPLIED;
  }
  // NotPrincipal + Deny in a resource policy always applies to a principal with a permissions
  // boundary (AWS: "NotPrincipal element with a Deny effect will always deny any IAM principal
  // that has a permissions boundary policy attached").
  if (category === 'resource' && req.boundaryPresent) return 'role';
  return notPrincipalExempts(p, req.principal) ? NOT_APPLIED : 'role';
}

// ---------------------------------------------------------------------------------------------
// One statement, explained: every element and every condition, no short-circuit.

/** A statement's fixed words (verbs and its own values as JSON text), built on first explain. */
function wordsOf(stmt: CompiledStatement): StatementWords {
  if (stmt.explainWords !== null) return stmt.explainWords;
  const actions = JSON.stringify(stmt.ast.action.values);
  const resources = stmt.ast.resource === undefined ? '' : JSON.stringify(stmt.ast.resource.values);
  const principals = stmt.principal === null ? '' : describeMatchers(stmt.principal);
  const positive = (element: string | undefined, values: string) =>
    element === undefined || !element.startsWith('Not')
      ? { ok: ' matches ' + values, no: ' matches none of ' + values }
      : { ok: ' is not in ' + values, no: ' is in ' + values };
  const action = positive(stmt.action.element, actions);
  const resource = positive(stmt.resource?.element, resources);
  const notPrincipal = stmt.principal?.element === 'NotPrincipal';
  // NotPrincipal + Allow excludes what it names; + Deny exempts it.
  const not = stmt.effect === 'Allow' ? 'named' : 'exempted';
  stmt.explainWords = {
    actionOk: action.ok,
    actionNo: action.no,
    resourceOk: resource.ok,
    resourceNo: resource.no,
    principalOk: (notPrincipal ? ` is not ${not} by ` : ' matches ') + principals,
    principalNo: (notPrincipal ? ` is ${not} by ` : ' does not match ') + principals,
  };
  return stmt.explainWords;
}

/** The request in words, built once per explained call: 'action "s3:GetObject"', … */
interface RequestTexts {
  readonly action: string;
  readonly resource: string;
  readonly principal: string;
}

/**
 * Every element and every condition of one statement, with words; appends the statement to
 * `out` and returns how it applies (as `applies` would: 'none' when it does not).
 */
function explainStatement(
  stmt: CompiledStatement,
  named: NamedPolicy,
  req: Request,
  texts: RequestTexts,
  out: ExplainedStatement[],
): PrincipalMatch {
  const words = wordsOf(stmt);
  const reasons: ExplainReason[] = [];
  let match: PrincipalMatch = 'direct';
  if (stmt.principal !== null) {
    match = principalMatches(stmt, named.category, req);
    const ok = match !== NOT_APPLIED;
    reasons.push({
      element: stmt.principal.element,
      ok,
      detail: texts.principal + (ok ? words.principalOk : words.principalNo),
    });
  }
  const actionOk = actionMatches(stmt, req.action);
  reasons.push({
    element: stmt.action.element,
    ok: actionOk,
    detail: texts.action + (actionOk ? words.actionOk : words.actionNo),
  });
  let resourceOk = true;
  const resource = stmt.resource;
  if (resource !== null) {
    resourceOk = resourceMatches(stmt, req);
    let detail = texts.resource + (resourceOk ? words.resourceOk : words.resourceNo);
    if (resource.templates.length > 0) {
      const unresolved = unresolvedVariable(resource.templates, req.context);
      if (unresolved !== null) {
        detail += ` (the policy variable ${unresolved} has no single value in the request: ${
          resource.element === 'NotResource'
            ? 'NotResource is false, the statement does not apply'
            : 'that pattern matches nothing'
        })`;
      }
    }
    reasons.push({ element: resource.element, ok: resourceOk, detail });
  }
  let conditionsOk = true;
  const conditions = stmt.conditions;
  for (let i = 0; i < conditions.length; i++) {
    const reason = explainCondition(conditions[i]!, req.context);
    if (!reason.ok) conditionsOk = false;
    reasons.push(reason);
  }
  const applied = match !== NOT_APPLIED && actionOk && resourceOk && conditionsOk;
  out.push(
    stmt.sid === undefined
      ? {
          policy: named.name,
          statement: stmt.index,
          effect: stmt.effect,
          applies: applied,
          reasons,
        }
      : {
          policy: named.name,
          statement: stmt.index,
          sid: stmt.sid,
          effect: stmt.effect,
          applies: applied,
          reasons,
        },
  );
  return applied ? match : NOT_APPLIED;
}
