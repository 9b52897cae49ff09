/**
 * Condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators",
 * "Conditions with multiple context keys or values", "Single-valued vs. multivalued context keys").
 *
 * One condition is one (operator, key, values) triple. How it is decided:
 * - key names are case-insensitive; an empty array is a key without values (treated as absent);
 * - key absent: `...IfExists` → true; `ForAllValues:` → true; `ForAnyValue:` → false; a negated
 *   operator (StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike, NumericNotEquals,
 *   DateNotEquals, NotIpAddress, ArnNotEquals, ArnNotLike) → true; any other → false;
 *   `Null` → true exactly when it expects the key absent ("true");
 * - key present: a context value "matches" when it matches ANY policy value under the positive
 *   form of the operator (several policy values are an OR; for a negated operator a NOR).
 *   An unqualified operator against a multivalued key (an array) is false, negated or not (AWS:
 *   "multivalued context keys require a condition set operator"; an array is multivalued even with
 *   one element). `ForAnyValue:` positive: some value matches; negated: some value does not.
 *   `ForAllValues:` positive: every value matches; negated: no value matches.
 * - context numbers/booleans are compared as their text by string, ARN and Bool operators;
 *   a context value that cannot be read as the operator's type (a bad number, date, IP, base64)
 *   equals nothing — it never throws.
 * - policy variables (2012-10-17) work in String* and Arn* values; a value whose variable does not
 *   resolve matches nothing, and a negated operator with such a value is false (key present).
 */
import { type ArnMatcher, compileArnPattern, compileArnPieces, matchArn } from './arn.js';
import { intern, type RequestContext, SharedTable, scalarText } from './context.js';
import { parseInstant } from './dates.js';
import { assertNever } from './errors.js';
import { type Cidr, cidrContains, parseCidr } from './ip.js';
import type {
  BaseOperator,
  ConditionAst,
  ContextScalar,
  ContextValue,
  ExplainReason,
  SetQualifier,
} from './types.js';
import {
  parseTemplate,
  resolveText,
  type Template,
  TemplateCache,
  unresolvedVariable,
} from './variables.js';
import { compileGlob, compilePieces, type Glob, matchGlob } from './wildcard.js';

type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

/** A policy value prepared for its operator family. */
export type Operand =
  | { readonly family: 'string'; readonly text: string; readonly template: Template | null }
  | {
      readonly family: 'like';
      readonly glob: Glob;
      readonly template: Template | null;
      readonly cache: TemplateCache<Glob> | null;
    }
  | { readonly family: 'numeric'; readonly value: number }
  | { readonly family: 'date'; readonly value: number }
  | { readonly family: 'bool'; readonly value: string }
  | { readonly family: 'binary'; readonly value: string | null }
  | { readonly family: 'ip'; readonly cidr: Cidr | null }
  | {
      readonly family: 'arn';
      readonly matcher: ArnMatcher;
      readonly template: Template | null;
      readonly cache: TemplateCache<ArnMatcher> | null;
    }
  | { readonly family: 'null'; readonly expectAbsent: boolean };

export type Family = Operand['family'];

export interface CompiledCondition {
  readonly ast: ConditionAst;
  readonly key: string;
  readonly lowerKey: string;
  readonly family: Family;
  readonly negated: boolean;
  readonly ignoreCase: boolean;
  readonly comparison: Comparison;
  readonly qualifier: SetQualifier | null;
  readonly ifExists: boolean;
  readonly operands: readonly Operand[];
  /** Memo for explain: the condition's fixed words, built on first explain (see wordsOf). */
  explainWords: ConditionWords | null;
  /** Policy variables in the values (2012-10-17). Negated operator + unresolved variable: false. */
  readonly templates: readonly Template[];
  /** Hot-path copy: the only policy value when there is exactly one (fewer objects touched). */
  readonly single: Operand | null;
  /** Hot-path copy: the only value of a plain String(Not)Equals[IgnoreCase] without variables. */
  readonly singleText: string | null;
}

interface OperatorSpec {
  readonly family: Family;
  readonly negated: boolean;
  readonly ignoreCase: boolean;
  readonly comparison: Comparison;
}

function spec(
  family: Family,
  negated = false,
  comparison: Comparison = 'eq',
  ignoreCase = false,
): OperatorSpec {
  return { family, negated, ignoreCase, comparison };
}

export function operatorSpec(base: BaseOperator): OperatorSpec {
  switch (base) {
    case 'StringEquals':
      return spec('string');
    case 'StringNotEquals':
      return spec('string', true);
    case 'StringEqualsIgnoreCase':
      return spec('string', false, 'eq', true);
    case 'StringNotEqualsIgnoreCase':
      return spec('string', true, 'eq', true);
    case 'StringLike':
      return spec('like');
    case 'StringNotLike':
      return spec('like', true);
    case 'NumericEquals':
      return spec('numeric');
    case 'NumericNotEquals':
      return spec('numeric', true);
    case 'NumericLessThan':
      return spec('numeric', false, 'lt');
    case 'NumericLessThanEquals':
      return spec('numeric', false, 'lte');
    case 'NumericGreaterThan':
      return spec('numeric', false, 'gt');
    case 'NumericGreaterThanEquals':
      return spec('numeric', false, 'gte');
    case 'DateEquals':
      return spec('date');
    case 'DateNotEquals':
      return spec('date', true);
    case 'DateLessThan':
      return spec('date', false, 'lt');
    case 'DateLessThanEquals':
      return spec('date', false, 'lte');
    case 'DateGreaterThan':
      return spec('date', false, 'gt');
    case 'DateGreaterThanEquals':
      return spec('date', false, 'gte');
    case 'Bool':
      return spec('bool');
    case 'BinaryEquals':
      return spec('binary');
    case 'IpAddress':
      return spec('ip');
    case 'NotIpAddress':
      return spec('ip', true);
    case 'ArnEquals':
    case 'ArnLike':
      return spec('arn');
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return spec('arn', true);
    case 'Null':
      return spec('null');
    default:
      return assertNever(base, 'condition operator');
  }
}

export function compileCondition(ast: ConditionAst, variables: boolean): CompiledCondition {
  const s = operatorSpec(ast.base);
  const operands = ast.values.map((v) => compileOperand(s, String(v), variables));
  const names = keyNames.get(ast.key, () => ({
    key: intern(ast.key),
    lowerKey: intern(ast.key.toLowerCase()),
  }));
  return {
    ast,
    key: names.key,
    lowerKey: names.lowerKey,
    family: s.family,
    negated: s.negated,
    ignoreCase: s.ignoreCase,
    comparison: s.comparison,
    qualifier: ast.base === 'Null' ? null : ast.qualifier,
    ifExists: ast.base === 'Null' ? false : ast.ifExists,
    operands,
    single: operands.length === 1 ? operands[0]! : null,
    singleText: singleTextOf(operands),
    templates: templatesOf(operands),
    explainWords: null,
  };
}

const NO_TEMPLATES: readonly Template[] = Object.freeze([]);

function templatesOf(operands: readonly Operand[]): readonly Template[] {
  let templates: Template[] | null = null;
  for (let i = 0; i < operands.length; i++) {
    const template = templateOf(operands[i]!);
    if (template === null) continue;
    if (templates === null) templates = [];
    templates.push(template);
  }
  return templates ?? NO_TEMPLATES;
}

function singleTextOf(operands: readonly Operand[]): string | null {
  const op = operands.length === 1 ? operands[0]! : null;
  return op !== null && op.family === 'string' && op.template === null ? op.text : null;
}

function templateOf(op: Operand): Template | null {
  switch (op.family) {
    case 'string':
    case 'like':
    case 'arn':
      return op.template;
    default:
      return null;
  }
}

/** A condition key as written and lowercased, both interned, shared (key: the key as written). */
const keyNames = new SharedTable<{ readonly key: string; readonly lowerKey: string }>(4096);

/** Parsed CIDR blocks shared across policies (key: the value as written; never mutated). */
const cidrs = new SharedTable<Cidr | null>(4096);

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function parseNumber(text: string): number {
  return NUMBER.test(text) ? Number(text) : Number.NaN;
}

function decodeBase64(text: string): string | null {
  try {
    return atob(text.trim());
  } catch {
    return null;
  }
}

function compileOperand(s: OperatorSpec, text: string, variables: boolean): Operand {
  const template = variables ? parseTemplate(text) : null;
  switch (s.family) {
    case 'string':
      return { family: 'string', text: intern(s.ignoreCase ? text.toLowerCase() : text), template };
    case 'like':
      return {
        family: 'like',
        glob: compileGlob(text),
        template,
        cache: template === null ? null : new TemplateCache<Glob>(),
      };
    case 'numeric':
      return { family: 'numeric', value: parseNumber(text) };
    case 'date':
      return { family: 'date', value: parseInstant(text) };
    case 'bool':
      return { family: 'bool', value: text.toLowerCase() };
    case 'binary':
      return { family: 'binary', value: decodeBase64(text) };
    case 'ip':
      return { family: 'ip', cidr: cidrs.get(text, () => parseCidr(text)) };
    case 'arn':
      return {
        family: 'arn',
        matcher: compileArnPattern(text),
        template,
        cache: template === null ? null : new TemplateCache<ArnMatcher>(),
      };
    case 'null':
      return { family: 'null', expectAbsent: text.toLowerCase() === 'true' };
    default:
      return assertNever(s.family, 'operator family');
  }
}

/** A context scalar converted once for the operator family. */
type Prepared = string | number | Uint8Array | null;

function prepare(cond: CompiledCondition, value: ContextScalar, context: RequestContext): Prepared {
  switch (cond.family) {
    case 'string':
      return cond.ignoreCase ? scalarText(value).toLowerCase() : scalarText(value);
    case 'like':
    case 'arn':
      return scalarText(value);
    case 'bool':
      return scalarText(value).toLowerCase();
    case 'numeric':
      return typeof value === 'number'
        ? value
        : typeof value === 'string'
          ? parseNumber(value)
          : Number.NaN;
    case 'date':
      return parseInstant(value);
    case 'binary':
      return typeof value === 'string' ? decodeBase64(value) : null;
    case 'ip':
      return typeof value === 'string' ? context.ip(value) : null;
    case 'null':
      return null;
    default:
      return assertNever(cond.family, 'operator family');
  }
}

function compare(c: Comparison, actual: number, expected: number): boolean {
  switch (c) {
    case 'eq':
      return actual === expected;
    case 'lt':
      return actual < expected;
    case 'lte':
      return actual <= expected;
    case 'gt':
      return actual > expected;
    case 'gte':
      return actual >= expected;
    default:
      return assertNever(c, 'comparison');
  }
}

/** Whether one prepared context value matches one policy value, in the operator's positive sense. */
function matchOperand(
  cond: CompiledCondition,
  op: Operand,
  actual: Prepared,
  context: RequestContext,
): boolean {
  switch (op.family) {
    case 'string': {
      if (typeof actual !== 'string') return false;
      if (op.template === null) return actual === op.text;
      const text = resolveText(op.template, context);
      if (text === null) return false;
      return actual === (cond.ignoreCase ? text.toLowerCase() : text);
    }
    case 'like': {
      if (typeof actual !== 'string') return false;
      if (op.template === null || op.cache === null) return matchGlob(op.glob, actual);
      const glob = op.cache.get(op.template, context, compilePieces);
      return glob !== null && matchGlob(glob, actual);
    }
    case 'arn': {
      if (typeof actual !== 'string') return false;
      if (op.template === null || op.cache === null) return matchArn(op.matcher, actual);
      const matcher = op.cache.get(op.template, context, compileArnPieces);
      return matcher !== null && matchArn(matcher, actual);
    }
    case 'numeric':
    case 'date':
      return typeof actual === 'number' && compare(cond.comparison, actual, op.value);
    case 'bool':
    case 'binary':
      return typeof actual === 'string' && actual === op.value;
    case 'ip':
      return actual instanceof Uint8Array && op.cidr !== null && cidrContains(op.cidr, actual);
    case 'null':
      return false;
    default:
      return assertNever(op, 'operand');
  }
}

/** Whether a context value matches any policy value (positive sense). */
function matchesAny(
  cond: CompiledCondition,
  value: ContextScalar,
  context: RequestContext,
): boolean {
  const singleText = cond.singleText;
  if (singleText !== null) {
    const text = typeof value === 'string' ? value : scalarText(value);
    return (cond.ignoreCase ? text.toLowerCase() : text) === singleText;
  }
  const actual = prepare(cond, value, context);
  if (cond.single !== null) return matchOperand(cond, cond.single, actual, context);
  const operands = cond.operands;
  for (let i = 0; i < operands.length; i++) {
    if (matchOperand(cond, operands[i]!, actual, context)) return true;
  }
  return false;
}

/** Decides a condition for a key that is absent (or has no values). */
function decideAbsent(cond: CompiledCondition): boolean {
  if (cond.family === 'null')
    return cond.operands.some((o) => o.family === 'null' && o.expectAbsent);
  if (cond.ifExists) return true;
  if (cond.qualifier === 'ForAllValues') return true;
  if (cond.qualifier === 'ForAnyValue') return false;
  return cond.negated;
}

function decidePresent(
  cond: CompiledCondition,
  value: ContextValue,
  context: RequestContext,
): boolean {
  if (cond.family === 'null')
    return cond.operands.some((o) => o.family === 'null' && !o.expectAbsent);
  if (!Array.isArray(value)) {
    // One value: every qualifier reduces to "it matches" (negated: "it does not").
    return matchesAny(cond, value as ContextScalar, context) !== cond.negated;
  }
  const values = value as readonly ContextScalar[];
  switch (cond.qualifier) {
    case null:
      // AWS: "multivalued context keys require a condition set operator" — an unqualified
      // operator (negated or not) does not match a multivalued key.
      return false;
    case 'ForAnyValue': {
      for (const v of values) if (matchesAny(cond, v, context) !== cond.negated) return true;
      return false;
    }
    case 'ForAllValues': {
      for (const v of values) if (matchesAny(cond, v, context) === cond.negated) return false;
      return true;
    }
    default:
      return assertNever(cond.qualifier, 'set qualifier');
  }
}

/**
 * A negated operator whose value holds an unresolved variable is false when the key is present
 * (never "not equal to anything"). An absent key follows the absent-key rules (IfExists → true),
 * which is how AWS recommends keeping such statements valid.
 */
function negatedUnresolved(cond: CompiledCondition, context: RequestContext): string | null {
  if (!cond.negated || cond.templates.length === 0) return null;
  return unresolvedVariable(cond.templates, context);
}

export function testCondition(cond: CompiledCondition, context: RequestContext): boolean {
  const value = context.get(cond.key, cond.lowerKey);
  if (value === undefined) return decideAbsent(cond);
  if (cond.templates.length > 0 && negatedUnresolved(cond, context) !== null) return false;
  return decidePresent(cond, value, context);
}

/** The same decision with plain words: what was expected and what the request had. */
const IF_EXISTS_WORDS = ' (IfExists: absent key passes)';
const MULTIVALUED_WORDS = ' (a multivalued key needs ForAnyValue: or ForAllValues:)';

/**
 * The words of a condition's detail that do not depend on the request, built once per compiled
 * condition (on its first explain) so that an explained condition costs one concatenation:
 * "<key> has <value>, " (per request, see RequestContext.subject) + `present`.
 */
export interface ConditionWords {
  /** The whole detail when the key is absent: "<key> has no value, expected …". */
  readonly absent: string;
  /** After "<key> has <value>, ": "expected …". */
  readonly present: string;
  /** Same, for an unqualified operator against a multivalued key. */
  readonly presentMulti: string;
  /**
   * Conditions that say the same thing (operator and key as written, the same values, policy
   * variables live or not) share this number: within one request they decide alike and read
   * alike, so explain decides each once per request (see `explainCondition`).
   */
  readonly signature: number;
}

/** Signature numbers by condition text (bounded; cleared when full — numbers are never reused). */
const signatures = new Map<string, number>();
let nextSignature = 0;

function signatureOf(cond: CompiledCondition): number {
  const text = `${cond.ast.operator}\u0000${cond.ast.key}\u0000${cond.templates.length}\u0000${JSON.stringify(cond.ast.values)}`;
  let id = signatures.get(text);
  if (id === undefined) {
    id = nextSignature++;
    if (signatures.size >= 16_384) signatures.clear();
    signatures.set(text, id);
  }
  return id;
}

function wordsOf(cond: CompiledCondition): ConditionWords {
  if (cond.explainWords !== null) return cond.explainWords;
  const expected = expectation(cond);
  cond.explainWords = {
    absent: cond.key + ' has no value, ' + expected + (cond.ifExists ? IF_EXISTS_WORDS : ''),
    present: expected,
    presentMulti: expected + MULTIVALUED_WORDS,
    signature: signatureOf(cond),
  };
  return cond.explainWords;
}

/**
 * Every condition is decided and reported; one that repeats an earlier condition of the same
 * request (same signature: same operator and key as written, values and variables mode) reuses
 * its reason — the same words and the same answer, by construction — rather than deciding it
 * again.
 */
export function explainCondition(cond: CompiledCondition, context: RequestContext): ExplainReason {
  const words = wordsOf(cond);
  const known = context.verdict(words.signature);
  if (known !== undefined) return known;
  const reason = decideInWords(cond, words, context);
  context.keepVerdict(words.signature, reason);
  return reason;
}

function decideInWords(
  cond: CompiledCondition,
  words: ConditionWords,
  context: RequestContext,
): ExplainReason {
  const value = context.get(cond.key, cond.lowerKey);
  let ok: boolean;
  let detail: string;
  if (value === undefined) {
    ok = decideAbsent(cond);
    detail = words.absent;
  } else {
    const unresolved = negatedUnresolved(cond, context);
    if (unresolved !== null) {
      ok = false;
      detail = `${cond.key} has ${context.describe(value)}, but the policy variable ${unresolved} has no single value in the request: a negated operator is then false`;
    } else {
      const multi = cond.qualifier === null && cond.family !== 'null' && Array.isArray(value);
      ok = decidePresent(cond, value, context);
      detail = context.subject(cond.key, value) + (multi ? words.presentMulti : words.present);
    }
  }
  return { element: 'Condition', ok, operator: cond.ast.operator, key: cond.ast.key, detail };
}

function expectation(cond: CompiledCondition): string {
  if (cond.family === 'null') {
    const wantAbsent = cond.operands.some((o) => o.family === 'null' && o.expectAbsent);
    return wantAbsent ? 'expected the key to be absent' : 'expected the key to be present';
  }
  const values = JSON.stringify(cond.ast.values.map(String));
  const relation = relationWords(cond);
  const base = cond.negated
    ? `expected none ${relation} ${values}`
    : `expected any ${relation} ${values}`;
  const scope =
    cond.qualifier === 'ForAllValues'
      ? ' for every value (ForAllValues; true when the key is absent)'
      : cond.qualifier === 'ForAnyValue'
        ? ' for at least one value (ForAnyValue; false when the key is absent)'
        : '';
  return base + scope;
}

function relationWords(cond: CompiledCondition): string {
  switch (cond.family) {
    case 'string':
      return cond.ignoreCase ? 'of (ignoring case)' : 'of';
    case 'like':
      return 'matching';
    case 'arn':
      return 'ARN matching';
    case 'ip':
      return 'address within';
    case 'numeric':
    case 'date':
      return comparisonWords(cond.comparison);
    case 'bool':
    case 'binary':
    case 'null':
      return 'of';
    default:
      return assertNever(cond.family, 'operator family');
  }
}

function comparisonWords(c: Comparison): string {
  switch (c) {
    case 'eq':
      return 'equal to';
    case 'lt':
      return 'less than';
    case 'lte':
      return 'less than or equal to';
    case 'gt':
      return 'greater than';
    case 'gte':
      return 'greater than or equal to';
    default:
      return assertNever(c, 'comparison');
  }
}
