/**
 * AssumeRole as STS decides it: parameter validation (ValidationError with STS's wording), one
 * @tessera/policy evaluation of the caller's identity policies (∩ its own session policy) with the
 * role's trust policy as a `trust` resource policy — the trust-policy rule of `evaluate`, so the
 * trust policy must name the caller (its ARN or role: enough in the same account; its account:
 * the identity policies must allow too; cross-account: both always) — for sts:AssumeRole, plus
 * sts:TagSession when tags are passed and sts:SetSourceIdentity when a source identity is set or
 * carried; DurationSeconds against the role's MaxSessionDuration and the 1-hour role-chaining cap;
 * packed policy size; tag limits.
 */
import { deflateRawSync } from 'node:zlib';
import {
  type ContextValue,
  evaluate,
  type Policy,
  PolicyError,
  parsePolicy,
} from '@tessera/policy';
import { authorize, principalContext, type RequestEnv } from '../iam/authorize.js';
import type { Directory, DirectoryRole } from '../iam/directory.js';
import { QueryError, validationMessage } from '../query.js';
import { BoundedCache } from './bounded-cache.js';
import { type AssumeRoleInput, assumeRoleInputProblems } from './input.js';
import type { Caller, RoleSession, SessionRegistry } from './sessions.js';

export type { RequestEnv };

export interface AssumeRoleOutput {
  readonly session: RoleSession;
  readonly packedPolicySize: number | undefined;
}

/** The packed (compressed) bytes that make 100%: session policy and tags share this budget. */
export const PACKED_POLICY_BYTES = 512;
const ROLE_CHAIN_LIMIT = 3600;

/**
 * Session policies compiled by text:
 * - key: the `Policy` parameter exactly as received;
 * - value: its compiled policy (immutable, shared by the sessions that carry it);
 * - bound: 256 texts and 2 MiB as weighed (a compiled policy counted at 24 bytes per character
 *   of its text, as @tessera/policy's text cache counts it), oldest dropped first; no TTL (a
 *   compiled policy is a function of its text);
 * - why: a caller (the broker) sends the same few rendered policies on every AssumeRole, and
 *   parsing and compiling one was about a fifth of the local AssumeRole's own CPU time. Invalid
 *   texts are not stored: they are refused again, the same way, each time.
 */
const compiledSessionPolicies = new BoundedCache<Policy>(
  256,
  2 * 1024 * 1024,
  (_policy, text) => 24 * text.length,
);
/**
 * Packed sizes (percent of the budget) by the policy text and the session tags:
 * - key: the `Policy` parameter as received, U+0001, the tags as `k=v` joined by U+0000;
 * - value: the percentage packedPolicySize() computes;
 * - bound: 256 keys and 1 MiB as weighed (keys reach ~20,000 characters with 50 tags), oldest
 *   dropped first; no TTL (a pure function of its key);
 * - why: the estimate minifies the policy and deflates it (a fresh zlib stream per call).
 */
const packedSizes = new BoundedCache<number>(256, 1024 * 1024);

const validation = (message: string) => new QueryError('ValidationError', 400, message);

/**
 * May `caller` perform `action` (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity) on
 * `role`? One `authorize` call: the caller's identity side with the role's trust policy as a
 * `trust` resource policy, combined by @tessera/policy's trust-policy rule — the trust policy
 * must name the caller; naming its ARN or role is enough in the same account, naming only its
 * account delegates to its identity policies, and cross-account both must allow.
 */
function assumeAllowed(
  caller: Caller,
  role: DirectoryRole,
  action: string,
  context: Record<string, ContextValue>,
): boolean {
  const result = authorize(caller, {
    action,
    resource: role.arn,
    context,
    resourcePolicy: role.trustPolicy,
    resourcePolicyKind: 'trust',
    resourceAccount: role.account,
  });
  return result.decision === 'Allow';
}

/** A service principal (lambda.amazonaws.com) has no identity policies: the trust policy decides. */
function serviceTrusted(
  role: DirectoryRole,
  service: string,
  context: Record<string, ContextValue>,
): boolean {
  const result = evaluate({
    request: {
      action: 'sts:AssumeRole',
      resource: role.arn,
      principal: { type: 'Service', id: service },
      context,
    },
    resourcePolicy: role.trustPolicy,
    resourcePolicyKind: 'trust',
  });
  return result.decision === 'Allow';
}

export function packedPolicySize(
  policy: string | undefined,
  tags: Readonly<Record<string, string>>,
): number {
  const minified = policy === undefined ? '' : JSON.stringify(JSON.parse(policy));
  const tagged = tagText(tags);
  if (!minified && !tagged) return 0;
  const bytes = deflateRawSync(`${minified}\u0001${tagged}`).length;
  return Math.ceil((bytes * 100) / PACKED_POLICY_BYTES);
}

function tagText(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join('\u0000');
}

export function assumeRole(
  caller: Caller,
  input: AssumeRoleInput,
  env: RequestEnv,
  deps: { directory: Directory; registry: SessionRegistry },
): AssumeRoleOutput {
  const problems = assumeRoleInputProblems(input);
  if (problems.length > 0) throw validation(validationMessage(problems));
  const roleArn = input.roleArn!;
  const sessionName = input.roleSessionName!;
  if (input.sourceIdentity?.toLowerCase().startsWith('aws:')) {
    throw validation('SourceIdentity cannot start with the reserved prefix aws:');
  }

  // Tags: case-insensitive unique keys, no aws: prefix, transitive keys must name passed tags.
  const tags: Record<string, string> = {};
  const seen = new Set<string>();
  for (const t of input.tags) {
    const key = t.Key!;
    if (key.toLowerCase().startsWith('aws:'))
      throw validation(`Tag key ${key} uses the reserved prefix aws:`);
    if (seen.has(key.toLowerCase())) {
      throw validation('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    }
    seen.add(key.toLowerCase());
    tags[key] = t.Value ?? '';
  }
  for (const k of input.transitiveTagKeys) {
    if (!seen.has(k.toLowerCase()))
      throw validation(`TransitiveTagKeys names ${k}, which is not among the session tags.`);
  }
  // Chained sessions inherit the caller's transitive tags; they cannot be overridden.
  const inherited: Record<string, string> = {};
  const transitive = new Set(input.transitiveTagKeys);
  if (caller.kind === 'session') {
    for (const k of caller.transitiveTagKeys) {
      const v = caller.tags[k];
      if (v === undefined) continue;
      if (seen.has(k.toLowerCase())) {
        throw validation(
          `Tag key ${k} is a transitive tag of the calling session and cannot be overridden.`,
        );
      }
      inherited[k] = v;
      transitive.add(k);
    }
  }

  let sessionPolicy: Policy | undefined;
  if (input.policy !== undefined) {
    try {
      sessionPolicy = compiledSessionPolicies.get(input.policy, (text) => {
        JSON.parse(text);
        return parsePolicy(text);
      });
    } catch (err) {
      const why =
        err instanceof PolicyError ? `${err.code} at ${err.path || '/'}` : 'not valid JSON';
      throw new QueryError(
        'MalformedPolicyDocument',
        400,
        `The policy is not in the valid JSON format (${why}).`,
      );
    }
  }
  if (input.policyArns.length > 0) {
    throw new QueryError(
      'ValidationError',
      400,
      'PolicyArns are not supported by the local STS (no managed policies exist locally).',
    );
  }

  // Source identity: once set it stays for the whole chain; passing a different one is refused.
  const carried = caller.kind === 'session' ? caller.sourceIdentity : undefined;
  if (
    carried !== undefined &&
    input.sourceIdentity !== undefined &&
    input.sourceIdentity !== carried
  ) {
    throw new QueryError(
      'AccessDenied',
      403,
      `User: ${caller.arn} is not authorized to change the source identity (${carried}) of its role chain.`,
    );
  }
  const sourceIdentity = input.sourceIdentity ?? carried;

  // Authorization: both sides, for every action the request needs.
  const role = deps.directory.roleByArn(roleArn);
  const context: Record<string, ContextValue> = {
    ...principalContext(caller, env),
    'sts:RoleSessionName': sessionName,
  };
  if (input.externalId !== undefined) context['sts:ExternalId'] = input.externalId;
  if (sourceIdentity !== undefined) context['sts:SourceIdentity'] = sourceIdentity;
  const allTags = { ...inherited, ...tags };
  if (Object.keys(allTags).length > 0) {
    for (const [k, v] of Object.entries(allTags)) context[`aws:RequestTag/${k}`] = v;
    context['aws:TagKeys'] = Object.keys(allTags);
  }
  if (transitive.size > 0) context['sts:TransitiveTagKeys'] = [...transitive];
  const actions = ['sts:AssumeRole'];
  if (Object.keys(allTags).length > 0) actions.push('sts:TagSession');
  if (sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    const allowed = role !== undefined && assumeAllowed(caller, role, action, context);
    if (!allowed) {
      throw new QueryError(
        'AccessDenied',
        403,
        `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`,
      );
    }
  }
  const target = role!;

  // Duration: the role-chaining cap first (a role session calling), then the role's maximum.
  const duration = input.durationSeconds === undefined ? 3600 : Number(input.durationSeconds);
  if (caller.kind === 'session' && duration > ROLE_CHAIN_LIMIT) {
    throw validation(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > target.config.maxSessionDuration) {
    throw validation(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }

  let packed: number | undefined;
  if (input.policy !== undefined || Object.keys(allTags).length > 0) {
    const policyText = input.policy;
    packed = packedSizes.get(`${policyText ?? ''}\u0001${tagText(allTags)}`, () =>
      packedPolicySize(policyText, allTags),
    );
    if (packed > 100) {
      throw new QueryError(
        'PackedPolicyTooLarge',
        400,
        `Packed policy consumes ${packed}% of allotted space, please use smaller policy.`,
      );
    }
  }

  const session = deps.registry.issue({
    expiration: new Date(Math.floor(env.now / 1000) * 1000 + duration * 1000),
    role: target,
    sessionName,
    sessionPolicy,
    tags: allTags,
    transitiveTagKeys: [...transitive],
    sourceIdentity,
    roleChained: caller.kind === 'session',
  });
  return { session, packedPolicySize: packed };
}

/**
 * What the Lambda service does before the handler runs: assume the execution role on behalf of
 * the `lambda.amazonaws.com` service principal (trust policy checked), giving role-session keys.
 */
export function assumeRoleAsService(
  role: DirectoryRole,
  service: string,
  sessionName: string,
  durationSeconds: number,
  now: number,
  registry: SessionRegistry,
): RoleSession {
  const ctx: Record<string, ContextValue> = { 'sts:RoleSessionName': sessionName };
  if (!serviceTrusted(role, service, ctx)) {
    throw new QueryError('AccessDenied', 403, `${service} is not trusted by ${role.arn}`);
  }
  return registry.issue({
    expiration: new Date(Math.floor(now / 1000) * 1000 + durationSeconds * 1000),
    role,
    sessionName,
    sessionPolicy: undefined,
    tags: {},
    transitiveTagKeys: [],
    sourceIdentity: undefined,
    roleChained: false,
  });
}
