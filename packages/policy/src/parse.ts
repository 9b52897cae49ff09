/**
 * Parse: an untrusted policy document → the typed AST of types.ts, every error with its JSON
 * Pointer. One walk collects every structural error (`analysePolicy`, used by validate.ts);
 * `parseAst` throws the first of them.
 *
 * Rules follow the AWS IAM User Guide ("IAM JSON policy elements reference", "Grammar of the IAM
 * JSON policy language", "Condition operators", "Policy variables"):
 * - element names, Effect values and condition operator names are case-sensitive;
 * - Version is "2012-10-17" or "2008-10-17"; without it AWS applies 2008-10-17 (variables literal);
 * - `...IfExists` exists for every operator except Null; a set qualifier prefixes any operator;
 * - ArnEquals and ArnLike behave alike and both accept `*`/`?` in each ARN component;
 * - a principal ARN may not contain wildcards (only the whole value `*`).
 * Rules that depend on the kind of policy (Principal required or forbidden, Resource required or
 * forbidden, Sid character set) live in validate.ts.
 */

import { BoundedMap, type CacheBounds } from './cache.js';
import { PolicyError, type PolicyErrorCode } from './errors.js';
import {
  childPointer,
  copyPlainJson,
  findDuplicateKeys,
  isJsonObject,
  type JsonObject,
  type JsonReadResult,
  type JsonValue,
  jsonTypeOf,
  ownEntries,
  readJsonText,
  readJsonValue,
} from './json.js';
import { didYouMean } from './suggest.js';
import {
  type ActionElementAst,
  BASE_OPERATORS,
  type BaseOperator,
  type ConditionAst,
  type Effect,
  type PolicyAst,
  type PolicyScalar,
  type PolicyVersion,
  type PrincipalElementAst,
  type PrincipalEntryAst,
  type PrincipalType,
  type ResourceElementAst,
  type SetQualifier,
  type StatementAst,
} from './types.js';
import { FAMILY_FORMS, isArnShaped, isPolicyValue, type ValueFamily } from './values.js';

/**
 * Bounds of each known-good set below: 4,096 texts of up to 256 characters, 256 KiB as weighed
 * (cache.ts). Longer texts are checked afresh each time (a linear regular expression).
 */
export const KNOWN_GOOD_BOUNDS: CacheBounds = { entries: 4096, bytes: 256 * 1024, keyChars: 256 };

function knownGoodSet(): BoundedMap<true> {
  return new BoundedMap<true>(KNOWN_GOOD_BOUNDS);
}

export interface PolicyIssue {
  readonly code: PolicyErrorCode;
  /** JSON Pointer into the document ('' for the whole document). */
  readonly path: string;
  readonly message: string;
}

export const TOP_LEVEL_ELEMENTS = ['Version', 'Id', 'Statement'] as const;
export const STATEMENT_ELEMENTS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
] as const;
export type StatementElement = (typeof STATEMENT_ELEMENTS)[number];
const STATEMENT_ELEMENT_SET: ReadonlySet<string> = new Set(STATEMENT_ELEMENTS);

const POLICY_VERSIONS: readonly PolicyVersion[] = ['2012-10-17', '2008-10-17'];
const EFFECTS: readonly Effect[] = ['Allow', 'Deny'];
const PRINCIPAL_TYPES: readonly PrincipalType[] = ['AWS', 'Federated', 'Service', 'CanonicalUser'];
const SET_QUALIFIERS: readonly SetQualifier[] = ['ForAnyValue', 'ForAllValues'];

/** What could be read of one statement, even when parts of it are invalid. */
export interface StatementDraft {
  readonly index: number;
  readonly path: string;
  /** Which elements the statement wrote, valid or not. */
  readonly elements: ReadonlySet<StatementElement>;
  sid: string | undefined;
  effect: Effect | undefined;
  action: ActionElementAst | undefined;
  resource: ResourceElementAst | undefined;
  principal: PrincipalElementAst | undefined;
  readonly conditions: ConditionAst[];
  /** Paths of `Condition` objects or operator blocks that hold no key at all. */
  readonly emptyConditionBlocks: string[];
}

/** What could be read of a whole document, even when parts of it are invalid. */
export interface PolicyDraft {
  version: PolicyVersion;
  versionGiven: boolean;
  id: string | undefined;
  readonly statements: StatementDraft[];
}

export interface PolicyAnalysis {
  /** Present when the document has no structural error. */
  readonly ast: PolicyAst | undefined;
  readonly errors: readonly PolicyIssue[];
  /** Undefined when the document could not be read as a JSON object at all. */
  readonly draft: PolicyDraft | undefined;
  /** Characters of the document without insignificant white space (how IAM counts size). */
  readonly compactLength: number;
}

/** Parse a policy document; throws a `PolicyError` for its first error, and nothing else. */
export function parseAst(doc: string | object): PolicyAst {
  const analysis = analysePolicy(doc, false);
  const [first] = analysis.errors;
  if (first !== undefined) throw new PolicyError(first.code, first.path, first.message);
  // No error yet no AST would be a bug of the walker: it surfaces as one, never as a finding.
  if (analysis.ast === undefined) throw new Error('policy parser: no AST and no error');
  return analysis.ast;
}

/**
 * Read a document and collect every structural error. Throws only on a bug (never for input). `measure`: count the
 * document's size as IAM does (validate's size rules need it; parsing does not, so it skips it).
 */
export function analysePolicy(rawDocument: unknown, measure = true): PolicyAnalysis {
  // No catch-all: the walk only sees plain JSON data, and a bug here must surface as what it is,
  // never as a finding about the document (validate.ts reports it as `InternalError`).
  return analyseReadDocument(readDocument(rawDocument, measure), measure);
}

/**
 * Text is parsed; a caller's value is brought to plain JSON data. When the size need not be
 * measured (parsing), plain data is copied directly (`copyPlainJson`: one read of each property,
 * no text built and re-parsed); anything else, and every value when measuring, takes the JSON
 * round trip.
 */
function readDocument(rawDocument: unknown, measure: boolean): JsonReadResult {
  if (typeof rawDocument === 'string') return readJsonText(rawDocument);
  if (!measure && typeof rawDocument === 'object' && rawDocument !== null) {
    const value = copyPlainJson(rawDocument);
    if (value !== undefined) return { ok: true, value, text: '', source: 'value' };
  }
  return readJsonValue(rawDocument);
}

function analyseReadDocument(read: JsonReadResult, measure: boolean): PolicyAnalysis {
  if (!read.ok) {
    const issue: PolicyIssue = { code: read.reason, path: '', message: read.detail };
    return { ast: undefined, errors: [issue], draft: undefined, compactLength: 0 };
  }
  const compactLength = measure ? compactJsonLength(read.text) : 0;
  if (!isJsonObject(read.value)) {
    const message = `a policy must be a JSON object, not ${jsonTypeOf(read.value)}`;
    const issue: PolicyIssue = { code: 'NotAnObject', path: '', message };
    return { ast: undefined, errors: [issue], draft: undefined, compactLength };
  }
  const errors: PolicyIssue[] = [];
  const report: Report = (code, path, message) => errors.push({ code, path, message });
  // Only text can hold a key twice; a caller's object cannot.
  const duplicateKeys = read.source === 'text' ? findDuplicateKeys(read.text) : [];
  for (const path of duplicateKeys) {
    report(
      'DuplicateKey',
      path,
      'this key is written twice in the same object; IAM refuses duplicate keys',
    );
  }
  const draft = walkDocument(read.value, report);
  const ast = errors.length === 0 ? toAst(draft) : undefined;
  return { ast, errors, draft, compactLength };
}

type Report = (code: PolicyErrorCode, path: string, message: string) => void;

// ---------------------------------------------------------------------------------------------
// Document and statements

function walkDocument(document: JsonObject, report: Report): PolicyDraft {
  const draft: PolicyDraft = {
    version: '2008-10-17',
    versionGiven: false,
    id: undefined,
    statements: [],
  };
  let sawStatement = false;
  for (const [name, value] of ownEntries(document)) {
    const path = childPointer('', name);
    switch (name) {
      case 'Version':
        draft.version = readVersion(value, path, report) ?? draft.version;
        draft.versionGiven = true;
        break;
      case 'Id':
        draft.id = readId(value, path, report);
        break;
      case 'Statement':
        sawStatement = true;
        for (const statement of walkStatements(value, path, report))
          draft.statements.push(statement);
        break;
      default:
        report('UnknownElement', path, unknownElementMessage(name, 'policy', TOP_LEVEL_ELEMENTS));
    }
  }
  if (!sawStatement) report('MissingElement', '', 'the policy has no "Statement" element');
  checkDuplicateSids(draft.statements, report);
  return draft;
}

function readVersion(value: JsonValue, path: string, report: Report): PolicyVersion | undefined {
  const version = POLICY_VERSIONS.find((known) => known === value);
  if (version === undefined) {
    const hint = typeof value === 'string' ? didYouMean(value, POLICY_VERSIONS) : '';
    report('InvalidVersion', path, `Version must be "2012-10-17" or "2008-10-17"${hint}`);
  }
  return version;
}

function readId(value: JsonValue, path: string, report: Report): string | undefined {
  if (typeof value === 'string') return value;
  report('InvalidId', path, `Id must be a string, not ${jsonTypeOf(value)}`);
  return undefined;
}

function walkStatements(value: JsonValue, path: string, report: Report): StatementDraft[] {
  if (isJsonObject(value)) return [walkStatement(value, 0, path, report)];
  if (!Array.isArray(value)) {
    report(
      'InvalidStatement',
      path,
      `Statement must be an object or an array of objects, not ${jsonTypeOf(value)}`,
    );
    return [];
  }
  if (value.length === 0) {
    report('EmptyValueList', path, 'Statement must hold at least one statement');
  }
  const statements: StatementDraft[] = [];
  value.forEach((item, index) => {
    const itemPath = childPointer(path, index);
    if (isJsonObject(item)) {
      statements.push(walkStatement(item, index, itemPath, report));
      return;
    }
    const message = `a statement must be an object, not ${jsonTypeOf(item)}`;
    report('InvalidStatement', itemPath, message);
  });
  return statements;
}

function walkStatement(
  statement: JsonObject,
  index: number,
  path: string,
  report: Report,
): StatementDraft {
  const elements = new Set<StatementElement>();
  const draft: StatementDraft = {
    index,
    path,
    elements,
    sid: undefined,
    effect: undefined,
    action: undefined,
    resource: undefined,
    principal: undefined,
    conditions: [],
    emptyConditionBlocks: [],
  };
  const names = Object.keys(statement);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = statement[name]!;
    const element = STATEMENT_ELEMENT_SET.has(name) ? (name as StatementElement) : undefined;
    // Element names hold no '~' or '/': their pointer needs no escaping.
    const elementPath = element === undefined ? childPointer(path, name) : `${path}/${element}`;
    if (element === undefined) {
      report(
        'UnknownElement',
        elementPath,
        unknownElementMessage(name, 'statement', STATEMENT_ELEMENTS),
      );
      continue;
    }
    elements.add(element);
    readStatementElement(draft, element, value, elementPath, report);
  }
  checkElementPairs(draft, report);
  return draft;
}

function readStatementElement(
  draft: StatementDraft,
  element: StatementElement,
  value: JsonValue,
  path: string,
  report: Report,
): void {
  switch (element) {
    case 'Sid':
      draft.sid = readSid(value, path, report);
      return;
    case 'Effect':
      draft.effect = readEffect(value, path, report);
      return;
    case 'Action':
    case 'NotAction': {
      const parsed = readActionElement(element, value, path, report);
      draft.action ??= parsed;
      return;
    }
    case 'Resource':
    case 'NotResource': {
      const parsed = readResourceElement(element, value, path, report);
      draft.resource ??= parsed;
      return;
    }
    case 'Principal':
    case 'NotPrincipal': {
      const parsed = readPrincipalElement(element, value, path, report);
      draft.principal ??= parsed;
      return;
    }
    case 'Condition':
      readConditionElement(value, path, draft, report);
      return;
  }
}

function checkElementPairs(draft: StatementDraft, report: Report): void {
  const has = (element: StatementElement) => draft.elements.has(element);
  if (!has('Effect')) report('MissingElement', draft.path, 'the statement has no "Effect" element');
  if (has('Action') && has('NotAction')) {
    report(
      'ActionAndNotAction',
      draft.path,
      'a statement may have "Action" or "NotAction", not both',
    );
  }
  if (!has('Action') && !has('NotAction')) {
    report('MissingAction', draft.path, 'the statement has neither "Action" nor "NotAction"');
  }
  if (has('Resource') && has('NotResource')) {
    report(
      'ResourceAndNotResource',
      draft.path,
      'a statement may have "Resource" or "NotResource", not both',
    );
  }
  if (has('Principal') && has('NotPrincipal')) {
    report(
      'PrincipalAndNotPrincipal',
      draft.path,
      'a statement may have "Principal" or "NotPrincipal", not both',
    );
  }
}

function checkDuplicateSids(statements: readonly StatementDraft[], report: Report): void {
  const seen = new Set<string>();
  for (const statement of statements) {
    const sid = statement.sid;
    if (sid === undefined || sid === '') continue;
    if (seen.has(sid)) {
      report(
        'DuplicateSid',
        childPointer(statement.path, 'Sid'),
        `Sid "${sid}" is used by an earlier statement; Sids must be unique`,
      );
    }
    seen.add(sid);
  }
}

function unknownElementMessage(name: string, where: string, known: readonly string[]): string {
  return `"${name}" is not an element of a ${where}${didYouMean(name, known)}`;
}

function readSid(value: JsonValue, path: string, report: Report): string | undefined {
  if (typeof value === 'string') return value;
  report('InvalidSid', path, `Sid must be a string, not ${jsonTypeOf(value)}`);
  return undefined;
}

function readEffect(value: JsonValue, path: string, report: Report): Effect | undefined {
  const effect = EFFECTS.find((known) => known === value);
  if (effect === undefined) {
    const hint = typeof value === 'string' ? didYouMean(value, EFFECTS) : '';
    report('InvalidEffect', path, `Effect must be "Allow" or "Deny" (case-sensitive)${hint}`);
  }
  return effect;
}

// ---------------------------------------------------------------------------------------------
// Action, Resource

/** How the items of a string-list element (Action, Resource, a principal type) are checked. */
interface StringListRule {
  /** The code for a wrong shape or a wrong item. */
  readonly code: PolicyErrorCode;
  /** The element's name in messages. */
  readonly what: string;
  /** Why an item is wrong, or undefined when it is right. */
  readonly describeProblem: (item: string) => string | undefined;
}

/**
 * A string or a non-empty array of strings, each item checked by the rule. Returns the string
 * items (valid or not), or undefined when the element's shape itself is wrong.
 */
function readStringList(
  value: JsonValue,
  path: string,
  rule: StringListRule,
  report: Report,
): string[] | undefined {
  const { code, what, describeProblem } = rule;
  if (typeof value === 'string') {
    const problem = describeProblem(value);
    if (problem !== undefined) report(code, path, problem);
    return [value];
  }
  if (!Array.isArray(value)) {
    report(code, path, `${what} must be a string or an array of strings, not ${jsonTypeOf(value)}`);
    return undefined;
  }
  if (value.length === 0) {
    report('EmptyValueList', path, `${what} must list at least one value`);
    return undefined;
  }
  const items: string[] = [];
  for (let index = 0; index < value.length; index++) {
    const item = value[index]!;
    // The item's JSON Pointer is built only when there is something to report.
    if (typeof item !== 'string') {
      const message = `each ${what} value must be a string, not ${jsonTypeOf(item)}`;
      report(code, childPointer(path, index), message);
      continue;
    }
    const problem = describeProblem(item);
    if (problem !== undefined) report(code, childPointer(path, index), problem);
    items.push(item);
  }
  return items;
}

function readActionElement(
  element: ActionElementAst['element'],
  value: JsonValue,
  path: string,
  report: Report,
): ActionElementAst | undefined {
  const rule = {
    code: 'InvalidAction',
    what: element,
    describeProblem: describeActionProblem,
  } as const;
  const values = readStringList(value, path, rule, report);
  return values === undefined ? undefined : { element, values };
}

/** `*` or `service:pattern`: service prefix letters, digits, hyphens (wildcards tolerated). */
const ACTION_PATTERN = /^[A-Za-z0-9*?-]+:\S+$/;

/**
 * Actions and resources known to be well formed: pure checks of immutable strings that policies
 * repeat; a problem is always described afresh. Key: the text as written (untrusted); value: none
 * (a set). Bound: `KNOWN_GOOD_BOUNDS` each. Why: the same action or ARN appears in many statements
 * and documents; a stream of unique texts must not grow the sets.
 */
const goodActions = knownGoodSet();
const goodResources = knownGoodSet();

function remember(good: BoundedMap<true>, text: string): undefined {
  good.set(text, true);
  return undefined;
}

function describeActionProblem(action: string): string | undefined {
  if (goodActions.has(action)) return undefined;
  if (action === '*' || ACTION_PATTERN.test(action)) return remember(goodActions, action);
  return `"${truncate(action)}" is not an action: write "*" or "service:ActionName" (e.g. "s3:GetObject")`;
}

function readResourceElement(
  element: ResourceElementAst['element'],
  value: JsonValue,
  path: string,
  report: Report,
): ResourceElementAst | undefined {
  const rule = {
    code: 'InvalidResource',
    what: element,
    describeProblem: describeResourceProblem,
  } as const;
  const values = readStringList(value, path, rule, report);
  return values === undefined ? undefined : { element, values };
}

function describeResourceProblem(resource: string): string | undefined {
  if (goodResources.has(resource)) return undefined;
  if (resource === '*' || isArnShaped(resource, true)) return remember(goodResources, resource);
  return `"${truncate(resource)}" is not a resource: write "*" or an ARN (arn:partition:service:region:account:resource)`;
}

// ---------------------------------------------------------------------------------------------
// Principal

function readPrincipalElement(
  element: PrincipalElementAst['element'],
  value: JsonValue,
  path: string,
  report: Report,
): PrincipalElementAst | undefined {
  if (value === '*') return { element, any: true, entries: [] };
  if (!isJsonObject(value)) {
    report(
      'InvalidPrincipal',
      path,
      `${element} must be "*" or an object such as {"AWS": "123456789012"}, not ${describeValue(value)}`,
    );
    return undefined;
  }
  const entries = ownEntries(value);
  if (entries.length === 0) {
    report('InvalidPrincipal', path, `${element} must name at least one principal`);
    return undefined;
  }
  const principals: PrincipalEntryAst[] = [];
  for (const [typeName, ids] of entries) {
    const typePath = childPointer(path, typeName);
    const type = PRINCIPAL_TYPES.find((known) => known === typeName);
    if (type === undefined) {
      report(
        'InvalidPrincipal',
        typePath,
        `"${typeName}" is not a principal type${didYouMean(typeName, PRINCIPAL_TYPES)}`,
      );
      continue;
    }
    const rule: StringListRule = {
      code: 'InvalidPrincipal',
      what: `${element} ${type}`,
      describeProblem: (id) => describePrincipalProblem(type, id),
    };
    const values = readStringList(ids, typePath, rule, report);
    for (const id of values ?? []) principals.push({ type, id });
  }
  return { element, any: false, entries: principals };
}

function describePrincipalProblem(type: PrincipalType, id: string): string | undefined {
  if (isValidPrincipalId(type, id)) return undefined;
  if (id.includes('*') || id.includes('?')) {
    return `"${truncate(id)}" is not a valid ${type} principal: wildcards are only allowed as the whole value "*"`;
  }
  return `"${truncate(id)}" is not a valid ${type} principal: ${PRINCIPAL_HINTS[type]}`;
}

const PRINCIPAL_HINTS: Readonly<Record<PrincipalType, string>> = {
  AWS: 'write "*", an account id, or an IAM root/user/role or STS session ARN',
  Federated:
    'write an identity provider name (e.g. "cognito-identity.amazonaws.com") or a SAML/OIDC provider ARN',
  Service: 'write a service principal such as "ec2.amazonaws.com"',
  CanonicalUser: 'write a 64-character hexadecimal canonical user id',
};

function isValidPrincipalId(type: PrincipalType, id: string): boolean {
  // "You can use * only to specify everyone/anonymous. You cannot use it to specify part of a name or ARN."
  if (/[*?]/.test(id)) return type === 'AWS' && id === '*';
  switch (type) {
    case 'AWS':
      return id === '*' || isAwsPrincipalId(id);
    case 'Federated':
      return isFederatedPrincipalId(id);
    case 'Service':
      return SERVICE_PRINCIPAL.test(id);
    case 'CanonicalUser':
      return CANONICAL_USER.test(id);
  }
}

const ACCOUNT_ID = /^\d{12}$/;
/** IAM unique ids (AIDA…, AROA…): what AWS shows when a principal ARN's user/role was deleted. */
const UNIQUE_ID = /^A(IDA|ROA)[A-Z0-9]{12,}$/;
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc)';
const NAME = '[\\w+=,.@-]+';
const IAM_PATH = '(/[\\x21-\\x7e]*)?/';
const AWS_PRINCIPAL_ARN = new RegExp(
  `^arn:${PARTITION}:(iam::\\d{12}:(root|user${IAM_PATH}${NAME}|role${IAM_PATH}${NAME})` +
    `|sts::\\d{12}:(assumed-role/${NAME}/${NAME}|federated-user/${NAME}))$`,
);
const WELL_KNOWN_IDENTITY_PROVIDERS = [
  'cognito-identity.amazonaws.com',
  'accounts.google.com',
  'graph.facebook.com',
  'www.amazon.com',
  'appleid.apple.com',
];
const COGNITO_USER_POOL_PROVIDER =
  /^cognito-idp\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com\/[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/;
const PROVIDER_ARN = new RegExp(
  `^arn:${PARTITION}:iam::\\d{12}:(saml-provider/${NAME}|oidc-provider/[\\x21-\\x7e]+)$`,
);
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;
const CANONICAL_USER = /^[0-9a-fA-F]{64}$/;

/** The legacy CloudFront origin access identity, still common in S3 bucket policies. */
const CLOUDFRONT_OAI =
  /^arn:aws:iam::cloudfront:user\/CloudFront Origin Access Identity [A-Z0-9]+$/;

function isAwsPrincipalId(id: string): boolean {
  return (
    ACCOUNT_ID.test(id) ||
    UNIQUE_ID.test(id) ||
    AWS_PRINCIPAL_ARN.test(id) ||
    CLOUDFRONT_OAI.test(id)
  );
}

function isFederatedPrincipalId(id: string): boolean {
  return (
    WELL_KNOWN_IDENTITY_PROVIDERS.includes(id) ||
    COGNITO_USER_POOL_PROVIDER.test(id) ||
    PROVIDER_ARN.test(id)
  );
}

// ---------------------------------------------------------------------------------------------
// Condition

interface ParsedOperator {
  readonly base: BaseOperator;
  readonly qualifier: SetQualifier | null;
  readonly ifExists: boolean;
}

/** Every operator name AWS accepts, for exact lookup and "did you mean". */
const OPERATOR_NAMES: ReadonlyMap<string, ParsedOperator> = buildOperatorNames();

function buildOperatorNames(): Map<string, ParsedOperator> {
  const names = new Map<string, ParsedOperator>();
  for (const qualifier of [null, ...SET_QUALIFIERS]) {
    for (const base of BASE_OPERATORS) {
      const prefix = qualifier === null ? '' : `${qualifier}:`;
      names.set(`${prefix}${base}`, { base, qualifier, ifExists: false });
      // AWS: "You can add IfExists to the end of any condition operator name except the Null condition."
      if (base !== 'Null') {
        names.set(`${prefix}${base}IfExists`, { base, qualifier, ifExists: true });
      }
    }
  }
  return names;
}

const OPERATOR_NAME_LIST = [...OPERATOR_NAMES.keys()];

/** Parse a condition operator name as written (case-sensitive, as AWS spells them). */
export function parseOperatorName(operator: string): ParsedOperator | undefined {
  return OPERATOR_NAMES.get(operator);
}

function readConditionElement(
  value: JsonValue,
  path: string,
  draft: StatementDraft,
  report: Report,
): void {
  if (!isJsonObject(value)) {
    report(
      'InvalidCondition',
      path,
      `Condition must be an object of operators, not ${jsonTypeOf(value)}`,
    );
    return;
  }
  const operators = Object.keys(value);
  if (operators.length === 0) draft.emptyConditionBlocks.push(path);
  for (let i = 0; i < operators.length; i++) {
    const operator = operators[i]!;
    readOperatorBlock(operator, value[operator]!, childPointer(path, operator), draft, report);
  }
}

function readOperatorBlock(
  operator: string,
  block: JsonValue,
  path: string,
  draft: StatementDraft,
  report: Report,
): void {
  const parsed = parseOperatorName(operator);
  if (parsed === undefined) {
    report('UnknownOperator', path, describeUnknownOperator(operator));
    return;
  }
  if (!isJsonObject(block)) {
    report(
      'InvalidCondition',
      path,
      `"${operator}" must map condition keys to values, not ${jsonTypeOf(block)}`,
    );
    return;
  }
  const keys = Object.keys(block);
  if (keys.length === 0) draft.emptyConditionBlocks.push(path);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const keyPath = childPointer(path, key);
    const condition = readConditionKey(operator, parsed, key, block[key]!, keyPath, report);
    const earlier = earlierSameKey(keys, i);
    if (earlier !== undefined) {
      report(
        'DuplicateConditionKey',
        keyPath,
        `"${key}" repeats "${earlier}": condition key names are not case-sensitive`,
      );
    }
    if (condition !== undefined) draft.conditions.push(condition);
  }
}

/**
 * The nearest earlier key of the block that is `keys[i]` but for case, or undefined. Blocks hold a
 * few keys: keys of another length are skipped without lowercasing anything.
 */
function earlierSameKey(keys: readonly string[], i: number): string | undefined {
  const key = keys[i]!;
  let lower: string | undefined;
  for (let j = i - 1; j >= 0; j--) {
    const other = keys[j]!;
    if (other.length !== key.length) continue;
    lower ??= key.toLowerCase();
    if (other.toLowerCase() === lower) return other;
  }
  return undefined;
}

function describeUnknownOperator(operator: string): string {
  if (/^(ForAnyValue:|ForAllValues:)?NullIfExists$/.test(operator)) {
    return `"${operator}" is not an operator: Null has no IfExists form`;
  }
  return `"${truncate(operator)}" is not a condition operator (operator names are case-sensitive)${didYouMean(operator, OPERATOR_NAME_LIST)}`;
}

function readConditionKey(
  operator: string,
  parsed: ParsedOperator,
  key: string,
  rawValues: JsonValue,
  path: string,
  report: Report,
): ConditionAst | undefined {
  const keyProblem = describeConditionKeyProblem(key);
  if (keyProblem !== undefined) report('InvalidConditionKey', path, keyProblem);
  const values = readConditionValues(parsed.base, rawValues, path, report);
  if (keyProblem !== undefined || values === undefined) return undefined;
  return {
    path,
    operator,
    base: parsed.base,
    qualifier: parsed.qualifier,
    ifExists: parsed.ifExists,
    key,
    values,
  };
}

/** `prefix:name` with an optional `/tag-key`; the prefix may be a provider (`accounts.google.com`). */
const CONDITION_KEY =
  /^[A-Za-z0-9][A-Za-z0-9._/-]*:[A-Za-z0-9_.:-]+(\/[\p{L}\p{Z}\p{N}_.:/=+@-]+)?$/u;

/** Condition keys known to be well formed (see `goodActions`; same bounds). */
const goodConditionKeys = knownGoodSet();

function describeConditionKeyProblem(key: string): string | undefined {
  if (goodConditionKeys.has(key)) return undefined;
  if (CONDITION_KEY.test(key)) return remember(goodConditionKeys, key);
  return `"${truncate(key)}" is not a condition key: write "prefix:name" (e.g. "aws:SourceIp", "aws:PrincipalTag/team")`;
}

/** A scalar or a non-empty array of scalars, each of the operator's value type. */
function readConditionValues(
  base: BaseOperator,
  rawValues: JsonValue,
  path: string,
  report: Report,
): PolicyScalar[] | undefined {
  if (!Array.isArray(rawValues)) {
    return readConditionValue(base, rawValues, path, -1, report)
      ? [rawValues as PolicyScalar]
      : undefined;
  }
  if (rawValues.length === 0) {
    report('EmptyValueList', path, 'a condition key must list at least one value');
    return undefined;
  }
  let allValid = true;
  for (let index = 0; index < rawValues.length; index++) {
    allValid = readConditionValue(base, rawValues[index]!, path, index, report) && allValid;
  }
  return allValid ? (rawValues as PolicyScalar[]) : undefined;
}

/** `index`: the value's position in an array (its pointer is built only to report it), or -1. */
function readConditionValue(
  base: BaseOperator,
  value: JsonValue,
  path: string,
  index: number,
  report: Report,
): boolean {
  if (!isScalar(value)) {
    report(
      'InvalidConditionValue',
      index < 0 ? path : childPointer(path, index),
      `a condition value must be a string, number or boolean, not ${jsonTypeOf(value)}`,
    );
    return false;
  }
  const problem = conditionValueProblem(base, value);
  if (problem !== undefined) {
    report('InvalidConditionValue', index < 0 ? path : childPointer(path, index), problem);
  }
  return problem === undefined;
}

/**
 * Known-good condition values by value family (see `goodActions`; same bounds each). The checks
 * are pure functions of an immutable string, and policies repeat the same values (the same CIDR
 * block or ARN in many statements); only good values are kept, so a problem is always described
 * afresh.
 */
const goodConditionValues: Readonly<Record<ValueFamily, BoundedMap<true>>> = {
  string: knownGoodSet(),
  numeric: knownGoodSet(),
  date: knownGoodSet(),
  boolean: knownGoodSet(),
  binary: knownGoodSet(),
  ip: knownGoodSet(),
  arn: knownGoodSet(),
};

function conditionValueProblem(base: BaseOperator, value: PolicyScalar): string | undefined {
  const family = operatorValueType(base);
  if (family === 'string') return undefined;
  if (typeof value !== 'string') return describeConditionValueProblem(base, family, value);
  const good = goodConditionValues[family];
  if (good.has(value)) return undefined;
  const problem = describeConditionValueProblem(base, family, value);
  if (problem === undefined) remember(good, value);
  return problem;
}

function isScalar(value: JsonValue): value is PolicyScalar {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The value family each operator reads (values.ts holds the grammar of each). */
export function operatorValueType(base: BaseOperator): ValueFamily {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
    case 'StringLike':
    case 'StringNotLike':
      return 'string';
    case 'NumericEquals':
    case 'NumericNotEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals':
      return 'numeric';
    case 'DateEquals':
    case 'DateNotEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals':
      return 'date';
    case 'Bool':
    case 'Null':
      return 'boolean';
    case 'BinaryEquals':
      return 'binary';
    case 'IpAddress':
    case 'NotIpAddress':
      return 'ip';
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return 'arn';
  }
}

function describeConditionValueProblem(
  base: BaseOperator,
  family: ValueFamily,
  value: PolicyScalar,
): string | undefined {
  if (isPolicyValue(family, value)) return undefined;
  const shown = typeof value === 'string' ? `"${truncate(value)}"` : JSON.stringify(value);
  return `${base} needs ${FAMILY_FORMS[family]}; ${shown} is not one`;
}

// ---------------------------------------------------------------------------------------------
// Helpers

function describeValue(value: JsonValue): string {
  return typeof value === 'string' ? `"${truncate(value)}"` : jsonTypeOf(value);
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Characters outside JSON strings that are white space do not count (IAM's size rule). */
export function compactJsonLength(text: string): number {
  let length = 0;
  let inString = false;
  let escaped = false;
  for (const char of text) {
    if (inString) {
      length += char.length;
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      length += 1;
    } else if (char !== ' ' && char !== '\n' && char !== '\r' && char !== '\t') {
      length += 1;
    }
  }
  return length;
}

function toAst(draft: PolicyDraft): PolicyAst {
  return {
    version: draft.version,
    versionGiven: draft.versionGiven,
    id: draft.id,
    statements: draft.statements.map(toStatementAst),
  };
}

function toStatementAst(draft: StatementDraft): StatementAst {
  if (draft.effect === undefined || draft.action === undefined) {
    // Unreachable: a statement without a valid Effect or Action has reported an error. Were it
    // reached, it is a bug of the walker, not a property of the document: never a PolicyError.
    throw new Error(`policy parser: incomplete statement at ${draft.path} without an error`);
  }
  return {
    index: draft.index,
    path: draft.path,
    sid: draft.sid,
    effect: draft.effect,
    action: draft.action,
    resource: draft.resource,
    principal: draft.principal,
    conditions: draft.conditions,
  };
}
