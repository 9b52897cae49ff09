/**
 * The words a trust policy may use, checked when a binding is written: the STS actions a role
 * trust policy can grant (a misspelled one is an error: it would silently refuse everyone), the
 * `token:` condition keys the pool's tokens can carry (standard Cognito ID and access token
 * claims plus the `custom:` attributes listed in configuration; an unknown one is a warning with
 * "did you mean"), and whether a statement checks only claims users can write themselves (an
 * error). Pure: the vocabulary comes from configuration.
 */
import { closestName } from '@tessera/policy';
import type { BindingWarning } from './binding.js';
import type { FieldIssue } from './errors.js';
import type { JsonObject } from './types.js';

/** A custom attribute of the pool, as its tokens carry it: `custom:team`. */
export interface CustomAttribute {
  readonly name: string;
  /** The app clients let users write it themselves (Cognito WriteAttributes). */
  readonly userWritable: boolean;
}

export interface ClaimVocabulary {
  readonly customAttributes: readonly CustomAttribute[];
}

/** The STS actions a role trust policy governs. */
export const TRUST_POLICY_ACTIONS = [
  'sts:AssumeRole',
  'sts:AssumeRoleWithWebIdentity',
  'sts:AssumeRoleWithSAML',
  'sts:TagSession',
  'sts:SetSourceIdentity',
  'sts:SetContext',
] as const;

/**
 * Claims of Cognito user-pool ID and access tokens (Cognito developer guide, "Understanding user
 * pool JSON web tokens"), plus the standard OIDC attributes a pool can carry in ID tokens.
 */
export const STANDARD_CLAIMS = [
  // both tokens
  'sub',
  'iss',
  'exp',
  'iat',
  'auth_time',
  'jti',
  'origin_jti',
  'event_id',
  'token_use',
  'cognito:groups',
  // ID token
  'aud',
  'at_hash',
  'nonce',
  'cognito:username',
  'cognito:roles',
  'cognito:preferred_role',
  'identities',
  'address',
  'birthdate',
  'email',
  'email_verified',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'phone_number_verified',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
  // access token
  'client_id',
  'scope',
  'username',
  'version',
  'device_key',
] as const;

export interface VocabularyFindings {
  readonly errors: readonly FieldIssue[];
  readonly warnings: readonly BindingWarning[];
  /** The unknown `token:` keys found (lower case): other warnings about them are beside the point. */
  readonly unknownKeys: ReadonlySet<string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** The `token:` keys this vocabulary knows, as written in policies. */
export function knownTokenKeys(vocabulary: ClaimVocabulary): string[] {
  return [
    ...STANDARD_CLAIMS.map((c) => `token:${c}`),
    ...vocabulary.customAttributes.map((a) => `token:${a.name}`),
  ];
}

/** Checks a trust policy document's actions and condition keys against the vocabulary. */
export function checkTrustVocabulary(
  trustPolicy: JsonObject,
  vocabulary: ClaimVocabulary,
): VocabularyFindings {
  const errors: FieldIssue[] = [];
  const warnings: BindingWarning[] = [];
  const unknownKeys = new Set<string>();
  const known = knownTokenKeys(vocabulary);
  const knownLower = new Set(known.map((k) => k.toLowerCase()));
  const writable = new Set(
    vocabulary.customAttributes
      .filter((a) => a.userWritable)
      .map((a) => `token:${a.name}`.toLowerCase()),
  );
  const statementsRaw = trustPolicy['Statement'];
  const statements = list(statementsRaw);
  statements.forEach((statement, i) => {
    if (!isObject(statement)) return;
    const at = Array.isArray(statementsRaw)
      ? `/trustPolicy/Statement/${i}`
      : '/trustPolicy/Statement';
    checkActions(statement, at, errors);
    const keys = conditionKeys(statement, at);
    for (const { key, path } of keys) {
      const lower = key.toLowerCase();
      if (!lower.startsWith('token:') || knownLower.has(lower)) continue;
      unknownKeys.add(lower);
      const suggestion = closestName(key, known);
      warnings.push({
        field: path,
        code: 'UnknownClaimKey',
        message: `${key} is not a claim this pool's tokens carry (standard Cognito claims and the configured custom attributes)${suggestion ? ` — did you mean "${suggestion}"?` : ''}; a condition on it never matches`,
      });
    }
    const allowed = statement['Effect'] === 'Allow';
    if (allowed && keys.length > 0 && keys.every(({ key }) => writable.has(key.toLowerCase()))) {
      errors.push({
        field: at,
        code: 'TrustOnlyUserWritableClaims',
        message:
          'this statement checks only claims users can write themselves; add a condition on a claim they cannot (aud/client_id, cognito:groups, sub)',
      });
    }
  });
  return { errors, warnings, unknownKeys };
}

function checkActions(statement: Record<string, unknown>, at: string, errors: FieldIssue[]): void {
  const actions = list(statement['Action']);
  const lowerKnown = new Set(TRUST_POLICY_ACTIONS.map((a) => a.toLowerCase()));
  actions.forEach((action, j) => {
    if (typeof action !== 'string' || /[*?]/.test(action)) return;
    if (lowerKnown.has(action.toLowerCase())) return;
    const suggestion = closestName(action, TRUST_POLICY_ACTIONS);
    errors.push({
      field: Array.isArray(statement['Action']) ? `${at}/Action/${j}` : `${at}/Action`,
      code: 'UnknownTrustAction',
      message: `${action} is not an STS action a trust policy can grant${suggestion ? ` — did you mean "${suggestion}"?` : ` (one of ${TRUST_POLICY_ACTIONS.join(', ')})`}`,
    });
  });
}

function conditionKeys(
  statement: Record<string, unknown>,
  at: string,
): { key: string; path: string }[] {
  const condition = statement['Condition'];
  if (!isObject(condition)) return [];
  return Object.entries(condition).flatMap(([operator, block]) =>
    isObject(block)
      ? Object.keys(block).map((key) => ({ key, path: `${at}/Condition/${operator}/${key}` }))
      : [],
  );
}
