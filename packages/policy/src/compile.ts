/**
 * Compile: PolicyAst → Policy, the form `evaluate` runs. Everything that does not depend on the
 * request is done here once: action patterns lowercased and turned into matchers (exact, prefix,
 * suffix fast paths), resource patterns split into ARN segments, principals classified, condition
 * values parsed for their operator (numbers, dates, CIDRs, base64), policy variables parsed.
 */
import { type ArnMatcher, compileArnPattern } from './arn.js';
import { type CompiledCondition, compileCondition } from './conditions.js';
import { intern, SharedTable } from './context.js';
import { type PolicyIssue, parseAst } from './parse.js';
import { type CompiledPrincipal, compilePrincipal, constrainsPrincipalArn } from './principal.js';
import type { ConditionAst, Effect, PolicyAst, StatementAst } from './types.js';
import { parseTemplate, type Template, TemplateCache } from './variables.js';
import { compileGlob, type Glob } from './wildcard.js';

/** Brand of compiled policies: tells a `Policy` from a raw document (works across module copies). */
export const POLICY_BRAND: unique symbol = Symbol.for('@tessera/policy.Policy');

export interface CompiledAction {
  readonly element: 'Action' | 'NotAction';
  /** Lowercased patterns (actions are case-insensitive). */
  readonly globs: readonly Glob[];
}

export interface ResourcePattern {
  readonly source: string;
  /** Used when `template` is null; otherwise the pattern is rebuilt per request. */
  readonly matcher: ArnMatcher;
  readonly template: Template | null;
  /** Matchers built for resolved variable values (see TemplateCache). */
  readonly cache: TemplateCache<ArnMatcher> | null;
}

export interface CompiledResource {
  readonly element: 'Resource' | 'NotResource';
  readonly patterns: readonly ResourcePattern[];
  /** The patterns' policy variables (NotResource: one that does not resolve fails the element). */
  readonly templates: readonly Template[];
}

export interface CompiledStatement {
  readonly ast: StatementAst;
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: Effect;
  readonly action: CompiledAction;
  /** Hot-path copies (fewer objects touched per check): the first action pattern, the count, NotAction. */
  readonly firstAction: Glob;
  readonly actionCount: number;
  readonly notAction: boolean;
  /** Null when the statement has no Resource (a trust policy): it applies to any resource. */
  readonly resource: CompiledResource | null;
  readonly principal: CompiledPrincipal | null;
  /** `"Principal": "*"` constrained by `aws:PrincipalArn` (principal.ts): a grant that names the principal. */
  readonly wildcardByPrincipalArn: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** Memo for explain: the statement's fixed words, built on its first explain (evaluate.ts). */
  explainWords: StatementWords | null;
}

/**
 * The request-independent half of each explain detail, verb included, for both outcomes: a
 * detail is then the request's words (built once per call) plus one of these.
 */
export interface StatementWords {
  /** ' matches ["s3:Get*"]' / ' matches none of […]' (NotAction: ' is not in …' / ' is in …'). */
  readonly actionOk: string;
  readonly actionNo: string;
  /** Same for Resource / NotResource ('' when the statement has none). */
  readonly resourceOk: string;
  readonly resourceNo: string;
  /** ' matches AWS account …' / ' does not match …' (NotPrincipal: ' is not exempted by …'). */
  readonly principalOk: string;
  readonly principalNo: string;
}

export interface Policy {
  readonly [POLICY_BRAND]: true;
  readonly ast: PolicyAst;
  /** Policy variables are live (Version 2012-10-17); otherwise `${...}` is literal text. */
  readonly variables: boolean;
  readonly statements: readonly CompiledStatement[];
  /**
   * Whether the document fits each evaluation slot, decided once here so that `evaluate` only
   * reads a field: the first statement IAM would refuse in that slot, or null.
   */
  readonly slotIssues: SlotIssues;
}

export interface SlotIssues {
  /** Identity, permissions-boundary and session slots: no Principal/NotPrincipal, a Resource/NotResource. */
  readonly identity: PolicyIssue | null;
  /** Resource slot (a resource policy or a role trust policy): a Principal/NotPrincipal. */
  readonly resource: PolicyIssue | null;
}

export function compilePolicy(ast: PolicyAst): Policy {
  const variables = ast.versionGiven && ast.version === '2012-10-17';
  return {
    [POLICY_BRAND]: true,
    ast,
    variables,
    statements: ast.statements.map((s) => compileStatement(s, variables)),
    slotIssues: slotIssuesOf(ast),
  };
}

/**
 * The slot rules of validate.ts (kinds identity/session/boundary, and resource/trust), in the same
 * order, codes and paths: Principal before Resource, statement order. A resource slot takes a
 * trust policy too, so a missing Resource is fine there.
 */
function slotIssuesOf(ast: PolicyAst): SlotIssues {
  let identity: PolicyIssue | null = null;
  let resource: PolicyIssue | null = null;
  for (const s of ast.statements) {
    if (identity === null && s.principal !== undefined) {
      identity = {
        code: 'PrincipalNotAllowed',
        path: `${s.path}/${s.principal.element}`,
        message: `an identity-based, permissions-boundary or session policy has no "${s.principal.element}" element: it applies to the identity it is attached to`,
      };
    }
    if (identity === null && s.resource === undefined) {
      identity = {
        code: 'MissingResource',
        path: s.path,
        message:
          'a statement of an identity-based, permissions-boundary or session policy needs "Resource" or "NotResource"',
      };
    }
    if (resource === null && s.principal === undefined) {
      resource = {
        code: 'MissingPrincipal',
        path: s.path,
        message:
          'a statement of a resource-based or trust policy needs "Principal" or "NotPrincipal"',
      };
    }
  }
  return { identity, resource };
}

/** Parses and compiles a policy document; throws PolicyError when it is invalid. */
export function parsePolicy(doc: string | object): Policy {
  return compilePolicy(parseAst(doc));
}

export function isPolicy(value: unknown): value is Policy {
  return (
    typeof value === 'object' && value !== null && (value as Partial<Policy>)[POLICY_BRAND] === true
  );
}

/** Action matchers shared across policies (key: the lowercased pattern). */
const actionGlobs = new SharedTable<Glob>();

/** The same matchers by the pattern as written (saves lowercasing a pattern seen before). */
const actionGlobsAsWritten = new SharedTable<Glob>();

function compileAction(value: string): Glob {
  return actionGlobsAsWritten.get(value, () => {
    const lower = value.toLowerCase();
    return actionGlobs.get(lower, () => compileGlob(intern(lower)));
  });
}

function compileStatement(ast: StatementAst, variables: boolean): CompiledStatement {
  const globs = ast.action.values.map(compileAction);
  const patterns = ast.resource?.values.map((v) => compileResource(v, variables)) ?? [];
  const conditions = ast.conditions.map((c) => compileSharedCondition(c, variables, ast.effect));
  const templates = patterns.flatMap((p) => (p.template === null ? [] : [p.template]));
  return {
    ast,
    index: ast.index,
    sid: ast.sid,
    effect: ast.effect,
    action: { element: ast.action.element, globs },
    firstAction: globs[0] ?? compileGlob(''),
    actionCount: globs.length,
    notAction: ast.action.element === 'NotAction',
    resource:
      ast.resource === undefined ? null : { element: ast.resource.element, patterns, templates },
    principal: ast.principal === undefined ? null : compilePrincipal(ast.principal),
    wildcardByPrincipalArn: constrainsPrincipalArn(ast.principal, ast.conditions),
    conditions,
    explainWords: null,
  };
}

/**
 * Shared compiled objects: a resource pattern or a condition written the same way in several
 * statements (of one policy or of many) compiles to ONE object, so that it is compiled once and
 * `evaluate` decides it once per request (a per-call memo by identity). Role policies repeat the
 * same resource templates and the same IpAddress/Bool/tag conditions in most statements.
 * - key: the variables mode and the text as written (condition: operator, key and each value,
 *   length-prefixed, so no two conditions share a key); texts over SHARE_MAX_CHARS are compiled
 *   unshared, so the tables hold at most 4,096 × 512 characters of keys;
 * - value: the compiled object (immutable but for explain's word memo and, for a resource
 *   template, its bounded TemplateCache — both functions of the text, so sharing is exact);
 * - cleared when full (SharedTable); no TTL: the key is the whole input.
 * Nothing in a shared object is statement-specific (`ast.path` of a condition is the first
 * statement's; evaluation and explain never read it).
 */
const SHARE_MAX_CHARS = 512;
const sharedConditions = new SharedTable<CompiledCondition>();
const sharedResources = new SharedTable<ResourcePattern>();

function compileSharedCondition(
  ast: ConditionAst,
  variables: boolean,
  effect: Effect,
): CompiledCondition {
  // The effect is part of the key: an unreadable request value reads differently in Allow and Deny.
  let key = (variables ? '1' : '0') + effect + ast.operator.length + ':' + ast.operator;
  key += ast.key.length + ':' + ast.key;
  for (const value of ast.values) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    key += (typeof value === 'string' ? 's' : 'j') + text.length + ':' + text;
    if (key.length > SHARE_MAX_CHARS) return compileCondition(ast, variables, effect);
  }
  return sharedConditions.get(key, () => compileCondition(ast, variables, effect));
}

/** Resource matchers shared across policies (key: the pattern as written, without variables). */
const resourceMatchers = new SharedTable<ArnMatcher>();

function compileResource(source: string, variables: boolean): ResourcePattern {
  if (source.length > SHARE_MAX_CHARS) return compileResourceNow(source, variables);
  return sharedResources.get((variables ? '1' : '0') + source, () =>
    compileResourceNow(source, variables),
  );
}

function compileResourceNow(source: string, variables: boolean): ResourcePattern {
  // Policy variables are not allowed in Action, only in Resource and condition values.
  const template = variables ? parseTemplate(source) : null;
  return {
    source,
    matcher: resourceMatchers.get(source, () => compileArnPattern(source)),
    template,
    cache: template === null ? null : new TemplateCache<ArnMatcher>(),
  };
}
