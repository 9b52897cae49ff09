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
 * - every value, policy or request, is read by the grammar of values.ts (one grammar for both
 *   sides); context numbers/booleans are compared as their text by string operators;
 * - a request value that cannot be read as the operator's type (a bad number, date, Bool, base64,
 *   IP address or ARN) — for any operator of that type, negated or not, and under ForAnyValue /
 *   ForAllValues as soon as one of the values is unreadable: AWS does not document the case, and
 *   request values are caller-influenced (token claims), so the reading that can never grant is
 *   taken: the condition does NOT hold in an Allow statement and DOES hold in a Deny statement.
 *   It never throws.
 * - policy variables (2012-10-17) work in String* and Arn* values; a value whose variable does not
 *   resolve matches nothing, and a negated operator with such a value is false (key present).
 */

import { type ArnMatcher, compileArnPattern, compileArnPieces, matchArn } from './arn.js';
import { BoundedMap } from './cache.js';
import { intern, type RequestContext, SharedTable, scalarText } from './context.js';
import { assertNever } from './errors.js';
import type {
  BaseOperator,
  ConditionAst,
  ContextScalar,
  ContextValue,
  Effect,
  ExplainReason,
  PolicyScalar,
  SetQualifier,
} from './types.js';
import {
  type Cidr,
  cidrContains,
  readArn,
  readBinary,
  readBoolean,
  readCidr,
  readInstant,
  readNumber,
} from './values.js';
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
  | { readonly family: 'bool'; readonly value: string | null }
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
  /**
   * What the condition says when a request value cannot be read as the operator's type: true in
   * a Deny statement, false in an Allow statement (the reading that can never grant).
   */
  readonly unreadableHolds: boolean;
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

export function compileCondition(
  ast: ConditionAst,
  variables: boolean,
  effect: Effect,
): CompiledCondition {
  const s = operatorSpec(ast.base);
  const operands = ast.values.map((v) => compileOperand(s, v, variables));
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
    unreadableHolds: effect === 'Deny',
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
const keyNames = new SharedTable<{ readonly key: string; readonly lowerKey: string }>();

/** Parsed CIDR blocks shared across policies (key: the value as written; never mutated). */
const cidrs = new SharedTable<Cidr | null>();

/**
 * A policy value prepared for its operator. The parser has refused every value the grammar
 * (values.ts) does not read, so the readers here do not fail; if one ever did, the operand would
 * match nothing (NaN, null).
 */
function compileOperand(s: OperatorSpec, value: PolicyScalar, variables: boolean): Operand {
  const text = String(value);
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
      return { family: 'numeric', value: readNumber(value) ?? Number.NaN };
    case 'date':
      return { family: 'date', value: readInstant(value) ?? Number.NaN };
    case 'bool':
      return { family: 'bool', value: readBoolean(value) };
    case 'binary':
      return { family: 'binary', value: readBinary(value) };
    case 'ip':
      return { family: 'ip', cidr: cidrs.get(text, () => readCidr(text)) };
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

/**
 * A context scalar read once for the operator family by the grammar of values.ts, or
 * `UNREADABLE` when it is not a value of that type (see `unreadableHolds`).
 */
type Prepared = string | number | Uint8Array | typeof UNREADABLE;

const UNREADABLE: unique symbol = Symbol('unreadable');

function prepare(cond: CompiledCondition, value: ContextScalar, context: RequestContext): Prepared {
  switch (cond.family) {
    case 'string':
      return cond.ignoreCase ? scalarText(value).toLowerCase() : scalarText(value);
    case 'like':
      return scalarText(value);
    case 'arn':
      return readArn(value) ?? UNREADABLE;
    case 'bool':
      return readBoolean(value) ?? UNREADABLE;
    case 'numeric':
      return readNumber(value) ?? UNREADABLE;
    case 'date':
      return readInstant(value) ?? UNREADABLE;
    case 'binary':
      return readBinary(value) ?? UNREADABLE;
    case 'ip':
      return (typeof value === 'string' ? context.ip(value) : null) ?? UNREADABLE;
    case 'null':
      return UNREADABLE; // never asked: Null is decided on presence alone
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

/** Whether one readable context value matches one policy value, in the operator's positive sense. */
function matchOperand(
  cond: CompiledCondition,
  op: Operand,
  actual: Exclude<Prepared, typeof UNREADABLE>,
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

/** One request value against the policy values: it matches one (positive sense), or none. */
const MATCH = 1;
const NO_MATCH = 0;
type Verdict = typeof MATCH | typeof NO_MATCH | typeof UNREADABLE;

/** Whether a context value matches any policy value (positive sense), or cannot be read. */
function matchesAny(
  cond: CompiledCondition,
  value: ContextScalar,
  context: RequestContext,
): Verdict {
  const singleText = cond.singleText;
  if (singleText !== null) {
    const text = typeof value === 'string' ? value : scalarText(value);
    return (cond.ignoreCase ? text.toLowerCase() : text) === singleText ? MATCH : NO_MATCH;
  }
  const actual = prepare(cond, value, context);
  if (actual === UNREADABLE) return UNREADABLE;
  if (cond.single !== null)
    return matchOperand(cond, cond.single, actual, context) ? MATCH : NO_MATCH;
  const operands = cond.operands;
  for (let i = 0; i < operands.length; i++) {
    if (matchOperand(cond, operands[i]!, actual, context)) return MATCH;
  }
  return NO_MATCH;
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
    const verdict = matchesAny(cond, value as ContextScalar, context);
    if (verdict === UNREADABLE) return cond.unreadableHolds;
    return (verdict === MATCH) !== cond.negated;
  }
  // AWS: "multivalued context keys require a condition set operator" — an unqualified operator
  // (negated or not) does not match a multivalued key.
  if (cond.qualifier === null) return false;
  return decideSet(cond, cond.qualifier, value as readonly ContextScalar[], context);
}

/**
 * ForAnyValue: some value matches (negated: some does not). ForAllValues: every value matches
 * (negated: none does). Every value is read first: one unreadable value decides the condition
 * (`unreadableHolds`), whatever the others say.
 */
function decideSet(
  cond: CompiledCondition,
  qualifier: SetQualifier,
  values: readonly ContextScalar[],
  context: RequestContext,
): boolean {
  let some = false;
  let every = true;
  for (const v of values) {
    const verdict = matchesAny(cond, v, context);
    if (verdict === UNREADABLE) return cond.unreadableHolds;
    const holds = (verdict === MATCH) !== cond.negated;
    some ||= holds;
    every &&= holds;
  }
  switch (qualifier) {
    case 'ForAnyValue':
      return some;
    case 'ForAllValues':
      return every;
    default:
      return assertNever(qualifier, 'set qualifier');
  }
}

/** Whether some value of the key cannot be read as the operator's type (explain's words). */
function hasUnreadable(
  cond: CompiledCondition,
  value: ContextValue,
  context: RequestContext,
): boolean {
  if (cond.family === 'null' || cond.family === 'string' || cond.family === 'like') return false;
  if (Array.isArray(value) && cond.qualifier === null) return false;
  const values = (Array.isArray(value) ? value : [value]) as readonly ContextScalar[];
  return values.some((v) => prepare(cond, v, context) === UNREADABLE);
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

/**
 * Signature numbers by condition text:
 * - key: operator, key, variables mode, effect reading and values as JSON (from the policy:
 *   untrusted); value: a number, never reused;
 * - bound: 16,384 texts, 1 MiB as weighed (cache.ts), texts over 2,048 characters get a fresh
 *   number each time (they then share no verdict: decided once per condition, still correct);
 * - why: explain decides a condition repeated across statements once per request.
 */
const signatures = new BoundedMap<number>({ entries: 16_384, bytes: 1024 * 1024, keyChars: 2048 });
let nextSignature = 0;

function signatureOf(cond: CompiledCondition): number {
  const text = `${cond.ast.operator}\u0000${cond.ast.key}\u0000${cond.templates.length}\u0000${cond.unreadableHolds}\u0000${JSON.stringify(cond.ast.values)}`;
  return signatures.getOrMake(text, () => nextSignature++);
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
      if (hasUnreadable(cond, value, context)) detail += unreadableWords(cond);
    }
  }
  return { element: 'Condition', ok, operator: cond.ast.operator, key: cond.ast.key, detail };
}

function unreadableWords(cond: CompiledCondition): string {
  return cond.unreadableHolds
    ? ` (a value is not of the operator's type: in a Deny statement the condition then holds)`
    : ` (a value is not of the operator's type: in an Allow statement the condition then does not hold)`;
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
