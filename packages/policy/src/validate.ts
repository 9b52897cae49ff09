/**
 * Validate: every structural error of parse.ts, plus the rules that depend on the kind of policy,
 * plus warnings in the spirit of IAM Access Analyzer's policy checks. Never throws.
 *
 * Kind rules (AWS IAM User Guide, "IAM JSON policy elements reference"):
 * - identity, session and boundary policies name no Principal/NotPrincipal and need a Resource or
 *   NotResource;
 * - resource policies need a Principal/NotPrincipal and a Resource/NotResource;
 * - role trust policies need a Principal; IAM refuses Resource/NotResource in them ("Has prohibited
 *   field Resource") and NotPrincipal is not supported in them;
 * - without a kind, a statement with neither Resource nor Principal is wrong for every kind.
 * Sid: IAM (identity, session, boundary and trust policies) accepts only ASCII letters and digits;
 * resource policies of other services accept more (S3, SQS: spaces and punctuation), so there any
 * string is accepted.
 * Size (white space not counted): managed policies (and so permissions boundaries) 6,144
 * characters, session policies 2,048 (errors: AWS refuses them); role trust policies 2,048 by
 * default, raisable by quota, and identity policies up to 10,240 inline (warnings).
 */

import { describeThrown, type PolicyErrorCode, type PolicyWarningCode } from './errors.js';
import { childPointer } from './json.js';
import { isUserWritableClaimKey, keyCardinality } from './keys.js';
import {
  analysePolicy,
  operatorValueType,
  type PolicyAnalysis,
  type PolicyDraft,
  type StatementDraft,
  type StatementElement,
} from './parse.js';
import type { ConditionAst, Finding, PolicyKind, ValidateOptions } from './types.js';

/**
 * Check a policy document; every problem is a finding, none is thrown. A bug of the validator is
 * not a problem of the document: it is reported as the single finding `InternalError` (with what
 * was thrown), never as `InvalidJson`.
 */
export function validatePolicy(doc: string | object, opts?: ValidateOptions): Finding[] {
  try {
    const kind = readKind(opts);
    return collectFindings(analysePolicy(doc), kind);
  } catch (err) {
    return [{ severity: 'error', code: 'InternalError', path: '', message: describeThrown(err) }];
  }
}

const POLICY_KINDS: readonly PolicyKind[] = [
  'identity',
  'resource',
  'trust',
  'session',
  'boundary',
];

function readKind(opts: unknown): PolicyKind | undefined {
  if (typeof opts !== 'object' || opts === null || !Object.hasOwn(opts, 'kind')) return undefined;
  const kind: unknown = (opts as { kind?: unknown }).kind;
  return POLICY_KINDS.find((known) => known === kind);
}

function collectFindings(analysis: PolicyAnalysis, kind: PolicyKind | undefined): Finding[] {
  const findings: Finding[] = analysis.errors.map((issue) => ({ severity: 'error', ...issue }));
  const draft = analysis.draft;
  if (draft === undefined) return findings;
  const sink = new FindingSink(findings);
  checkSize(analysis.compactLength, kind, sink);
  checkId(draft, kind, sink);
  for (const statement of draft.statements) {
    checkKindRules(statement, kind, sink);
    checkStatementWarnings(statement, draft, kind, sink);
  }
  return findings;
}

class FindingSink {
  constructor(private readonly findings: Finding[]) {}
  error(code: PolicyErrorCode, path: string, message: string): void {
    this.findings.push({ severity: 'error', code, path, message });
  }
  warning(code: PolicyWarningCode, path: string, message: string): void {
    this.findings.push({ severity: 'warning', code, path, message });
  }
}

// ---------------------------------------------------------------------------------------------
// Kind rules (errors)

interface KindRules {
  readonly principal: 'required' | 'forbidden';
  readonly notPrincipalAllowed: boolean;
  readonly resource: 'required' | 'forbidden';
  /** IAM's own documents take only ASCII letters and digits in a Sid. */
  readonly alphanumericSid: boolean;
}

/** What each kind of policy requires and forbids (AWS IAM User Guide, policy elements reference). */
// biome-ignore format: a table reads best as a table
const KIND_RULES: Readonly<Record<PolicyKind, KindRules>> = {
  identity: { principal: 'forbidden', notPrincipalAllowed: false, resource: 'required',  alphanumericSid: true },
  session:  { principal: 'forbidden', notPrincipalAllowed: false, resource: 'required',  alphanumericSid: true },
  boundary: { principal: 'forbidden', notPrincipalAllowed: false, resource: 'required',  alphanumericSid: true },
  resource: { principal: 'required',  notPrincipalAllowed: true,  resource: 'required',  alphanumericSid: false },
  trust:    { principal: 'required',  notPrincipalAllowed: false, resource: 'forbidden', alphanumericSid: true },
};

function checkKindRules(
  statement: StatementDraft,
  kind: PolicyKind | undefined,
  sink: FindingSink,
): void {
  const has = (element: StatementElement) => statement.elements.has(element);
  const hasResource = has('Resource') || has('NotResource');
  const hasPrincipal = has('Principal') || has('NotPrincipal');
  if (kind === undefined) {
    if (!hasResource && !hasPrincipal) {
      sink.error(
        'MissingResource',
        statement.path,
        'the statement has neither "Resource"/"NotResource" nor a principal',
      );
    }
    return;
  }
  const rules = KIND_RULES[kind];
  checkPrincipalRule(statement, kind, rules, sink);
  if (rules.resource === 'required' && !hasResource) {
    sink.error(
      'MissingResource',
      statement.path,
      `a statement of a ${kind} policy needs "Resource" or "NotResource"`,
    );
  }
  if (rules.resource === 'forbidden') {
    for (const element of ['Resource', 'NotResource'] as const) {
      if (has(element)) {
        sink.error(
          'ResourceNotAllowed',
          childPointer(statement.path, element),
          `a ${kind} policy has no "${element}" element: the role is the resource`,
        );
      }
    }
  }
  if (
    rules.alphanumericSid &&
    statement.sid !== undefined &&
    !/^[A-Za-z0-9]*$/.test(statement.sid)
  ) {
    sink.error(
      'InvalidSid',
      childPointer(statement.path, 'Sid'),
      `IAM accepts only ASCII letters and digits in a Sid of a ${kind} policy`,
    );
  }
}

function checkPrincipalRule(
  statement: StatementDraft,
  kind: PolicyKind,
  rules: KindRules,
  sink: FindingSink,
): void {
  const has = (element: StatementElement) => statement.elements.has(element);
  if (rules.principal === 'forbidden') {
    for (const element of ['Principal', 'NotPrincipal'] as const) {
      if (has(element)) {
        sink.error(
          'PrincipalNotAllowed',
          childPointer(statement.path, element),
          `a ${kind} policy has no "${element}" element: it applies to the identity it is attached to`,
        );
      }
    }
    return;
  }
  if (!has('Principal') && !has('NotPrincipal')) {
    sink.error(
      'MissingPrincipal',
      statement.path,
      `a statement of a ${kind} policy needs "Principal"`,
    );
  }
  if (!rules.notPrincipalAllowed && has('NotPrincipal')) {
    sink.error(
      'PrincipalNotAllowed',
      childPointer(statement.path, 'NotPrincipal'),
      `"NotPrincipal" is not supported in a ${kind} policy; use "Principal"`,
    );
  }
}

interface SizeRule {
  readonly limit: number;
  readonly severity: 'error' | 'warning';
  readonly what: string;
}

function sizeRule(kind: PolicyKind | undefined): SizeRule | undefined {
  switch (kind) {
    case undefined:
    case 'resource':
      return undefined;
    case 'identity':
      return { limit: 6_144, severity: 'warning', what: 'a customer managed policy' };
    case 'boundary':
      return {
        limit: 6_144,
        severity: 'error',
        what: 'a managed policy used as a permissions boundary',
      };
    case 'session':
      return { limit: 2_048, severity: 'error', what: 'a session policy' };
    case 'trust':
      return {
        limit: 2_048,
        severity: 'warning',
        what: 'a role trust policy at the default quota',
      };
  }
}

function checkSize(compactLength: number, kind: PolicyKind | undefined, sink: FindingSink): void {
  const rule = sizeRule(kind);
  if (rule === undefined || compactLength <= rule.limit) return;
  const message = `the policy has ${compactLength} characters without white space; ${rule.what} may have at most ${rule.limit}`;
  if (rule.severity === 'error') sink.error('PolicyTooLarge', '', message);
  else sink.warning('PolicySizeExceedsQuota', '', message);
}

/** AWS grammar notes: the Id block "must not be included in identity-based policies". */
function checkId(draft: PolicyDraft, kind: PolicyKind | undefined, sink: FindingSink): void {
  const identityLike = kind === 'identity' || kind === 'session' || kind === 'boundary';
  if (identityLike && draft.id !== undefined) {
    sink.warning(
      'IdInIdentityPolicy',
      '/Id',
      `an Id element belongs in resource-based policies, not in a ${kind} policy`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Warnings

function checkStatementWarnings(
  statement: StatementDraft,
  draft: PolicyDraft,
  kind: PolicyKind | undefined,
  sink: FindingSink,
): void {
  checkBroadAllow(statement, sink);
  checkActionNames(statement, kind, sink);
  checkPolicyVariables(statement, draft, sink);
  if (draft.version === '2012-10-17') checkPolicyVariableSyntax(statement, sink);
  for (const condition of statement.conditions) {
    checkConditionUse(condition, statement, sink);
    checkBooleanValues(condition, sink);
  }
  for (const path of statement.emptyConditionBlocks) {
    sink.warning(
      'EmptyConditionBlock',
      path,
      'this condition block holds no condition key and checks nothing',
    );
  }
  if (kind === 'trust') checkTrustStatement(statement, sink);
}

function checkBroadAllow(statement: StatementDraft, sink: FindingSink): void {
  if (statement.effect !== 'Allow') return;
  const { action, resource, principal } = statement;
  if (action?.element === 'NotAction') {
    sink.warning(
      'AllowWithNotAction',
      childPointer(statement.path, 'NotAction'),
      'Allow with NotAction allows every action not listed, including future ones; list the allowed actions instead',
    );
  }
  if (principal?.element === 'NotPrincipal') {
    // AWS: "NotPrincipal must be used with "Effect":"Deny". Using it with "Effect":"Allow" is not
    // supported." (IAM User Guide, NotPrincipal). evaluate never allows a principal it names.
    sink.error(
      'AllowWithNotPrincipal',
      childPointer(statement.path, 'NotPrincipal'),
      'NotPrincipal must be used with "Effect": "Deny"; with Allow it is not supported (use "Principal", or a Deny with the aws:PrincipalArn condition key)',
    );
  }
  const allActions =
    action?.element === 'Action' && action.values.some((value) => value === '*' || value === '*:*');
  const allResources = resource?.element === 'Resource' && resource.values.includes('*');
  if (allActions && allResources) {
    sink.warning(
      'AllowAllOnAll',
      statement.path,
      'this statement allows every action on every resource',
    );
  }
}

function checkActionNames(
  statement: StatementDraft,
  kind: PolicyKind | undefined,
  sink: FindingSink,
): void {
  const action = statement.action;
  if (action === undefined) return;
  const path = childPointer(statement.path, action.element);
  for (const value of action.values) {
    const service = value.split(':', 1)[0] ?? '';
    if (value !== '*' && /[*?]/.test(service)) {
      sink.warning(
        'WildcardInServiceName',
        path,
        `"${value}" uses a wildcard in the service name; it matches actions of many services`,
      );
    }
    if (value.includes('${')) {
      sink.warning(
        'PolicyVariableInAction',
        path,
        `"${value}": AWS does not replace policy variables in ${action.element}; the text is matched literally`,
      );
    }
    if (
      kind === 'trust' &&
      action.element === 'Action' &&
      value !== '*' &&
      service.toLowerCase() !== 'sts'
    ) {
      sink.warning(
        'TrustPolicyActionNotSts',
        path,
        `"${value}" is not an AWS STS action; a role trust policy governs sts:AssumeRole* and sts:TagSession/SetSourceIdentity`,
      );
    }
  }
}

function checkPolicyVariables(
  statement: StatementDraft,
  draft: PolicyDraft,
  sink: FindingSink,
): void {
  if (draft.version === '2012-10-17') return;
  const note = draft.versionGiven ? 'Version is "2008-10-17"' : 'the policy has no Version';
  const resource = statement.resource;
  if (resource?.values.some(hasPolicyVariable)) {
    sink.warning(
      'PolicyVariableTreatedAsLiteral',
      childPointer(statement.path, resource.element),
      `${note}, so "\${...}" is literal text here; set "Version": "2012-10-17"`,
    );
  }
  for (const condition of statement.conditions) {
    if (condition.values.some(hasPolicyVariable)) {
      sink.warning(
        'PolicyVariableTreatedAsLiteral',
        condition.path,
        `${note}, so "\${...}" is literal text here; set "Version": "2012-10-17"`,
      );
    }
  }
}

/**
 * Access Analyzer errors "Missing brace in variable", "Empty variable", "Unsupported space in
 * variable", "Missing quote in variable": `${name}` or `${name, 'default'}`, or the escapes
 * `${*}`, `${?}`, `${$}`. Checked where variables are replaced: Resource and String/Arn conditions.
 */
function checkPolicyVariableSyntax(statement: StatementDraft, sink: FindingSink): void {
  const resource = statement.resource;
  const resourcePath = resource && childPointer(statement.path, resource.element);
  for (const value of resource?.values ?? []) {
    const problem = describeVariableProblem(value);
    if (problem !== undefined && resourcePath !== undefined) {
      sink.error('InvalidPolicyVariable', resourcePath, problem);
    }
  }
  for (const condition of statement.conditions) {
    const valueType = operatorValueType(condition.base);
    if (valueType !== 'string' && valueType !== 'arn') continue;
    for (const value of condition.values) {
      const problem = typeof value === 'string' ? describeVariableProblem(value) : undefined;
      if (problem !== undefined) sink.error('InvalidPolicyVariable', condition.path, problem);
    }
  }
}

const VARIABLE_BODY = /^(?:[*?$]|[^\s,'{}]+(?:\s*,\s*'[^']*')?)$/;

function describeVariableProblem(text: string): string | undefined {
  let start = text.indexOf('${');
  while (start !== -1) {
    const end = text.indexOf('}', start + 2);
    if (end === -1) return `"${text}": the policy variable has no closing "}"`;
    const body = text.slice(start + 2, end);
    if (body.trim() === '') return `"${text}": empty policy variable "\${}"`;
    if (!VARIABLE_BODY.test(body)) {
      return `"${text}": write a policy variable as \${key} or \${key, 'default'} (no spaces in the key, default in single quotes)`;
    }
    start = text.indexOf('${', end + 1);
  }
  return undefined;
}

/** Access Analyzer error "Invalid condition multiple Boolean": a Bool key takes one value. */
function checkBooleanValues(condition: ConditionAst, sink: FindingSink): void {
  if (condition.base === 'Bool' && condition.values.length > 1) {
    sink.error(
      'InvalidConditionValue',
      condition.path,
      `"${condition.key}" takes a single Boolean value; a list of Booleans does not do what it seems`,
    );
  }
}

function hasPolicyVariable(value: string | number | boolean): boolean {
  return typeof value === 'string' && value.includes('${');
}

function checkConditionUse(
  condition: ConditionAst,
  statement: StatementDraft,
  sink: FindingSink,
): void {
  const cardinality = keyCardinality(condition.key);
  if (condition.base === 'Null') {
    if (condition.qualifier !== null) {
      sink.warning(
        'NullWithQualifier',
        condition.path,
        `${condition.qualifier} has no effect on Null, which only tests whether the key is present; use "Null"`,
      );
    }
    return;
  }
  if (condition.qualifier !== null && cardinality === 'single') {
    sink.warning(
      'SetQualifierOnSingleValuedKey',
      condition.path,
      `"${condition.key}" is single-valued; ${condition.qualifier} is for multivalued keys — use "${condition.base}${condition.ifExists ? 'IfExists' : ''}"`,
    );
  }
  if (condition.qualifier === null && cardinality === 'multi') {
    sink.warning(
      'MultiValuedKeyWithoutSetQualifier',
      condition.path,
      `"${condition.key}" is multivalued; use ForAnyValue: or ForAllValues: to say how its values are compared`,
    );
  }
  if (
    condition.qualifier === 'ForAllValues' &&
    statement.effect === 'Allow' &&
    !hasNullFalseCheck(statement, condition.key)
  ) {
    sink.warning(
      'ForAllValuesInAllow',
      condition.path,
      `ForAllValues is true when "${condition.key}" is missing or empty; add "Null": {"${condition.key}": "false"} or use ForAnyValue`,
    );
  }
}

function hasNullFalseCheck(statement: StatementDraft, key: string): boolean {
  const lowerKey = key.toLowerCase();
  return statement.conditions.some(
    (condition) =>
      condition.base === 'Null' &&
      condition.key.toLowerCase() === lowerKey &&
      condition.values.every((value) => String(value).toLowerCase() === 'false'),
  );
}

function checkTrustStatement(statement: StatementDraft, sink: FindingSink): void {
  if (statement.effect !== 'Allow') return;
  const principal = statement.principal;
  const opensWidely =
    principal !== undefined &&
    (principal.any ||
      principal.entries.some((entry) => entry.id === '*' || entry.type === 'Federated'));
  if (statement.conditions.length === 0 && opensWidely) {
    sink.warning(
      'TrustPolicyWithoutCondition',
      statement.path,
      'this trust statement lets a federated or any principal assume the role without checking any condition (audience, subject, groups)',
    );
  }
  const checked = statement.conditions.filter((condition) => condition.base !== 'Null');
  if (checked.length > 0 && checked.every((condition) => isUserWritableClaimKey(condition.key))) {
    sink.warning(
      'OnlyUserWritableClaimsChecked',
      statement.path,
      'this trust statement checks only custom: claims, which users can change themselves; also check a claim they cannot (client id, groups, sub)',
    );
  }
}
