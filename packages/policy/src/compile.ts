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
 * - key: the text as written with what its compilation depends on — a condition's variables mode,
 *   statement effect, operator, key and each value in order, as a path in nested maps
 *   (ConditionTable: no key string is built and the strings' cached hashes are reused); a
 *   resource pattern's variables mode and text (SharedTable);
 * - value: the compiled object (immutable but for explain's word memo and, for a resource
 *   template, its bounded TemplateCache — both functions of the key, so sharing is exact);
 * - bound: a text over SHARE_MAX_CHARS characters is compiled unshared; conditions: 4,096
 *   entries and 1,000,000 characters of keys (about 2 MB), cleared when full; resource patterns:
 *   `SHARED_TABLE_BOUNDS` per variables mode; no TTL: the key is the whole input.
 * Nothing in a shared object is statement-specific (`ast.path` of a condition is the first
 * statement's; evaluation and explain never read it).
 */
const SHARE_MAX_CHARS = 512;
const SHARE_MAX_ENTRIES = 4096;
const SHARE_MAX_KEY_CHARS = 1_000_000;

interface ConditionNode {
  next: Map<string, ConditionNode> | null;
  value: CompiledCondition | null;
}

/** Compiled conditions by (variables mode, effect, operator, key, values…): a trie of Maps. */
class ConditionTable {
  private roots = ConditionTable.empty();
  private entries = 0;
  private chars = 0;

  private static empty(): Map<string, ConditionNode>[] {
    return [new Map(), new Map(), new Map(), new Map()];
  }

  get(
    ast: ConditionAst,
    variables: boolean,
    effect: Effect,
    make: () => CompiledCondition,
  ): CompiledCondition {
    let chars = ast.operator.length + ast.key.length;
    for (const v of ast.values) {
      // A string that could read as a non-string segment is not shared (never a collision).
      if (typeof v === 'string' && v.charCodeAt(0) === 1) return make();
      chars += typeof v === 'string' ? v.length : 8;
    }
    if (chars > SHARE_MAX_CHARS) return make();
    // The effect is part of the key: an unreadable request value reads differently in Allow
    // (the condition fails) and Deny (it holds), so the compiled condition depends on it.
    const root = this.roots[(variables ? 2 : 0) + (effect === 'Deny' ? 1 : 0)]!;
    let node = this.child(root, ast.operator);
    node = this.child(this.nextOf(node), ast.key);
    for (const v of ast.values) {
      node = this.child(
        this.nextOf(node),
        typeof v === 'string' ? v : `\u0001${JSON.stringify(v)}`,
      );
    }
    if (node.value === null) {
      if (this.entries >= SHARE_MAX_ENTRIES || this.chars + chars > SHARE_MAX_KEY_CHARS) {
        this.roots = ConditionTable.empty();
        this.entries = 0;
        this.chars = 0;
        return make();
      }
      node.value = make();
      this.entries++;
      this.chars += chars;
    }
    return node.value;
  }

  private nextOf(node: ConditionNode): Map<string, ConditionNode> {
    node.next ??= new Map();
    return node.next;
  }

  private child(map: Map<string, ConditionNode>, segment: string): ConditionNode {
    let node = map.get(segment);
    if (node === undefined) {
      node = { next: null, value: null };
      map.set(segment, node);
    }
    return node;
  }
}

const sharedConditions = new ConditionTable();

function compileSharedCondition(
  ast: ConditionAst,
  variables: boolean,
  effect: Effect,
): CompiledCondition {
  return sharedConditions.get(ast, variables, effect, () =>
    compileCondition(ast, variables, effect),
  );
}

/** Resource matchers shared across policies (key: the pattern as written, without variables). */
const resourceMatchers = new SharedTable<ArnMatcher>();

/** Resource patterns by the text as written, one table per variables mode. */
const sharedResources = [new SharedTable<ResourcePattern>(), new SharedTable<ResourcePattern>()];

function compileResource(source: string, variables: boolean): ResourcePattern {
  if (source.length > SHARE_MAX_CHARS) return compileResourceNow(source, variables);
  return sharedResources[variables ? 1 : 0]!.get(source, () =>
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
