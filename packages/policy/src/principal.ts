/**
 * Principal / NotPrincipal matching against the request's principal
 * (IAM User Guide, "AWS JSON policy elements: Principal" and "NotPrincipal").
 *
 * - `"Principal": "*"` and `{"AWS": "*"}` match every principal (AWS documents them as equivalent),
 *   including an anonymous request (no principal) — as `role` (evaluate.ts reads a `*` constrained
 *   by `aws:PrincipalArn` as `direct`: see `constrainsPrincipalArn` and `PrincipalMatch`).
 * - An account (`123456789012` or `arn:aws:iam::123456789012:root`) matches every AWS principal
 *   of that account: the policy delegates to the account.
 * - A role ARN (`arn:aws:iam::acct:role/path/name`) matches the role and every session of it,
 *   `arn:aws:sts::acct:assumed-role/name/<session>` (the role path is not part of a session ARN).
 * - Any other ARN (user, assumed-role session, federated user) matches exactly that principal.
 * - Federated, Service and CanonicalUser entries match a principal of the same type with exactly
 *   the same id. `*` is the only wildcard: `arn:aws:iam::*:role/x` is literal text.
 *
 * How a principal matched matters to the combining rule (see `PrincipalMatch`).
 */
import { intern, quote, SharedTable } from './context.js';
import type {
  ConditionAst,
  PrincipalElementAst,
  PrincipalEntryAst,
  PrincipalType,
  RequestPrincipal,
} from './types.js';

/**
 * How a Principal element names the request's principal, weakest first:
 * - `none`: it does not;
 * - `account`: through the principal's account (AWS: the account "delegates" — in the same
 *   account such an Allow grants nothing on its own; identity-based policies must allow);
 * - `role`: through the role of a role session, or through `*` / `{"AWS": "*"}` without an
 *   `aws:PrincipalArn` constraint (limited by a boundary and session policies, see `decide`);
 * - `direct`: exactly this principal, or `*` constrained by `aws:PrincipalArn` (evaluate.ts
 *   upgrades that one: see `constrainsPrincipalArn`) — not limited in the same account.
 */
export type PrincipalMatch = 'none' | 'account' | 'role' | 'direct';

const RANK: Readonly<Record<PrincipalMatch, number>> = { none: 0, account: 1, role: 2, direct: 3 };

export function strongerMatch(a: PrincipalMatch, b: PrincipalMatch): PrincipalMatch {
  return RANK[a] >= RANK[b] ? a : b;
}

export type PrincipalMatcher =
  | { readonly kind: 'any' }
  | { readonly kind: 'account'; readonly account: string }
  | { readonly kind: 'role'; readonly arn: string; readonly sessionPrefix: string }
  | { readonly kind: 'exact'; readonly type: PrincipalType; readonly id: string }
  | { readonly kind: 'anyOfType'; readonly type: PrincipalType };

export interface CompiledPrincipal {
  readonly element: 'Principal' | 'NotPrincipal';
  readonly matchers: readonly PrincipalMatcher[];
  /** Hot-path copy: the only matcher when there is exactly one (fewer objects touched). */
  readonly single: PrincipalMatcher | null;
  /** Memo for explain: the entries in words, built on first use (see describeMatchers). */
  descriptionText: string | null;
}

const ACCOUNT_ID = /^\d{12}$/;
const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;
const ROLE_ARN = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

export function compilePrincipal(ast: PrincipalElementAst): CompiledPrincipal {
  const matchers = ast.any ? [{ kind: 'any' } as const] : ast.entries.map(compileEntry);
  return {
    element: ast.element,
    matchers,
    single: matchers.length === 1 ? matchers[0]! : null,
    descriptionText: null,
  };
}

/** Principal matchers shared across policies (key: type and id). */
const sharedMatchers = new SharedTable<PrincipalMatcher>();

function compileEntry(entry: PrincipalEntryAst): PrincipalMatcher {
  return sharedMatchers.get(`${entry.type} ${entry.id}`, () => makeMatcher(entry));
}

function makeMatcher(entry: PrincipalEntryAst): PrincipalMatcher {
  const id = intern(entry.id);
  if (id === '*')
    return entry.type === 'AWS' ? { kind: 'any' } : { kind: 'anyOfType', type: entry.type };
  if (entry.type !== 'AWS') return { kind: 'exact', type: entry.type, id };
  if (ACCOUNT_ID.test(id)) return { kind: 'account', account: id };
  const root = ROOT_ARN.exec(id);
  if (root !== null) return { kind: 'account', account: root[1]! };
  const role = ROLE_ARN.exec(id);
  if (role !== null) {
    const [, partition, account, name] = role;
    return {
      kind: 'role',
      arn: id,
      sessionPrefix: `arn:${partition}:sts::${account}:assumed-role/${name}/`,
    };
  }
  return { kind: 'exact', type: 'AWS', id };
}

/** How one matcher matches the principal (undefined principal: anonymous). */
export function matchPrincipalEntry(
  matcher: PrincipalMatcher,
  principal: RequestPrincipal | undefined,
): PrincipalMatch {
  switch (matcher.kind) {
    case 'any':
      return 'role';
    case 'anyOfType':
      return principal?.type === matcher.type ? 'role' : 'none';
    case 'exact':
      return principal?.type === matcher.type && principal.id === matcher.id ? 'direct' : 'none';
    case 'account': {
      if (principal?.type !== 'AWS') return 'none';
      const id = principal.id;
      if (id === matcher.account) return 'direct';
      if (accountOf(id) !== matcher.account) return 'none';
      return ROOT_ARN.test(id) ? 'direct' : 'account';
    }
    case 'role': {
      if (principal?.type !== 'AWS') return 'none';
      if (principal.id === matcher.arn) return 'direct';
      const id = principal.id;
      return id.startsWith(matcher.sessionPrefix) && id.length > matcher.sessionPrefix.length
        ? 'role'
        : 'none';
    }
  }
}

/** The strongest way any matcher of a Principal element matches. */
export function matchPrincipal(
  compiled: CompiledPrincipal,
  principal: RequestPrincipal | undefined,
): PrincipalMatch {
  if (compiled.single !== null) return matchPrincipalEntry(compiled.single, principal);
  let best: PrincipalMatch = 'none';
  for (const m of compiled.matchers) {
    best = strongerMatch(best, matchPrincipalEntry(m, principal));
    if (best === 'direct') return best;
  }
  return best;
}

/**
 * Whether a NotPrincipal element exempts the principal. AWS checks the principal's account,
 * then (for a session) its role, then the principal itself, and a Deny with NotPrincipal applies
 * unless each check is listed: so an exemption needs the account (id or root ARN) listed AND the
 * principal's own ARN (for a role session, the session ARN or the role ARN). Non-AWS principals
 * are exempted by an exact entry. `*` exempts everyone.
 */
export function notPrincipalExempts(
  compiled: CompiledPrincipal,
  principal: RequestPrincipal | undefined,
): boolean {
  let accountListed = false;
  let selfListed = false;
  for (const m of compiled.matchers) {
    if (m.kind === 'any') return true;
    if (principal === undefined) continue;
    if (principal.type !== 'AWS') {
      if (matchPrincipalEntry(m, principal) !== 'none') return true;
      continue;
    }
    if (m.kind === 'account') {
      const r = matchPrincipalEntry(m, principal);
      if (r === 'direct') return true;
      if (r === 'account') accountListed = true;
    } else if (matchPrincipalEntry(m, principal) !== 'none') {
      selfListed = true;
    }
  }
  return accountListed && selfListed;
}

/**
 * Whether a statement with `"Principal": "*"` / `{"AWS": "*"}` is constrained by
 * `aws:PrincipalArn`: one of its conditions tests that key with a positive string or ARN operator
 * (`StringEquals`, `StringEqualsIgnoreCase`, `StringLike`, `ArnEquals`, `ArnLike`), without
 * `...IfExists` (absent key: holds) or `ForAllValues:` (absent key: holds). When such a statement
 * applies, the principal's ARN is one the condition names. AWS: permissions boundaries and session
 * policies do not limit a same-account grant from a resource-based policy with `*` in the
 * Principal element constrained by `aws:PrincipalArn` (IAM User Guide, "How AWS enforcement code
 * logic evaluates requests to allow or deny access").
 */
export function constrainsPrincipalArn(
  principal: PrincipalElementAst | undefined,
  conditions: readonly ConditionAst[],
): boolean {
  if (principal === undefined || principal.element !== 'Principal') return false;
  const wildcard = principal.any || principal.entries.some((e) => e.type === 'AWS' && e.id === '*');
  if (!wildcard) return false;
  return conditions.some(
    (c) =>
      POSITIVE_ARN_OPERATORS.has(c.base) &&
      !c.ifExists &&
      c.qualifier !== 'ForAllValues' &&
      c.key.toLowerCase() === 'aws:principalarn',
  );
}

const POSITIVE_ARN_OPERATORS: ReadonlySet<string> = new Set([
  'StringEquals',
  'StringEqualsIgnoreCase',
  'StringLike',
  'ArnEquals',
  'ArnLike',
]);

/** The account of an AWS principal id (12 digits, or the fifth field of its ARN), or ''. */
export function accountOf(id: string): string {
  if (ACCOUNT_ID.test(id)) return id;
  let start = 0;
  for (let i = 0; i < 4; i++) {
    const colon = id.indexOf(':', start);
    if (colon < 0) return '';
    start = colon + 1;
  }
  const end = id.indexOf(':', start);
  return end < 0 ? '' : id.slice(start, end);
}

/** The entries in words, for explain (built on first use and kept). */
export function describeMatchers(compiled: CompiledPrincipal): string {
  compiled.descriptionText ??= compiled.matchers.map(describeMatcher).join(', ');
  return compiled.descriptionText;
}

export function describePrincipal(principal: RequestPrincipal | undefined): string {
  return principal === undefined
    ? 'no principal (anonymous)'
    : principal.type + ' ' + quote(principal.id);
}

function describeMatcher(m: PrincipalMatcher): string {
  switch (m.kind) {
    case 'any':
      return '*';
    case 'anyOfType':
      return `${m.type} *`;
    case 'account':
      return `AWS account ${m.account}`;
    case 'role':
      return `AWS ${JSON.stringify(m.arn)} (and its sessions)`;
    case 'exact':
      return `${m.type} ${JSON.stringify(m.id)}`;
  }
}
