/**
 * AssumeRoleWithWebIdentity as STS decides it (unsigned: the token is the credential): the token
 * validated against the role account's OIDC providers (oidc-providers.ts); the role's trust policy
 * evaluated by @tessera/policy for the federated principal `arn:aws:iam::<acct>:oidc-provider/<key>`
 * with the web-identity context keys AWS documents (`<key>:aud`, `<key>:sub`,
 * `sts:RoleSessionName`, `sts:SourceIdentity`, `aws:RequestTag/*`, `aws:TagKeys`,
 * `sts:TransitiveTagKeys`), for sts:AssumeRoleWithWebIdentity, plus sts:TagSession when the token
 * carries session tags and sts:SetSourceIdentity when it carries a source identity (both from the
 * token's `https://aws.amazon.com/...` claims, as AWS documents); DurationSeconds up to the role's
 * MaxSessionDuration — not role chaining, so no 1-hour cap.
 */
import {
  type ContextValue,
  evaluate,
  type Policy,
  PolicyError,
  parsePolicy,
} from '@tessera/policy';
import type { JWTPayload } from 'jose';
import type { Directory, DirectoryRole } from '../iam/directory.js';
import { QueryError } from '../query.js';
import { PACKED_POLICY_BYTES, packedPolicySize } from './assume-role.js';
import { MAX_TAGS, NAME, TAG_KEY, TAG_VALUE } from './input.js';
import type { OidcProviders, VerifiedWebIdentity } from './oidc-providers.js';
import type { RoleSession, SessionRegistry } from './sessions.js';

export interface WebIdentityInput {
  readonly roleArn: string | undefined;
  readonly roleSessionName: string | undefined;
  readonly webIdentityToken: string | undefined;
  readonly durationSeconds: string | undefined;
  readonly policy: string | undefined;
}

export interface WebIdentityEnv {
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly region: string;
  readonly now: number;
}

export interface WebIdentityOutput {
  readonly session: RoleSession;
  readonly identity: VerifiedWebIdentity;
  readonly packedPolicySize: number | undefined;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
const TAGS_CLAIM = 'https://aws.amazon.com/tags';
const SOURCE_IDENTITY_CLAIM = 'https://aws.amazon.com/source_identity';
const validation = (message: string) => new QueryError('ValidationError', 400, message);
const rejected = (message: string) => new QueryError('IDPRejectedClaim', 403, message);

function checkInput(input: WebIdentityInput): {
  roleArn: string;
  sessionName: string;
  token: string;
  duration: number;
} {
  const missing = (['roleArn', 'roleSessionName', 'webIdentityToken'] as const).filter(
    (k) => input[k] === undefined,
  );
  if (missing.length > 0) {
    throw validation(
      `${missing.length} validation error${missing.length > 1 ? 's' : ''} detected: ${missing
        .map((m) => `Value null at '${m}' failed to satisfy constraint: Member must not be null`)
        .join('; ')}`,
    );
  }
  const { roleArn, roleSessionName, webIdentityToken } = input as {
    roleArn: string;
    roleSessionName: string;
    webIdentityToken: string;
  };
  if (roleArn.length < 20 || roleArn.length > 2048)
    throw validation('roleArn must be 20..2048 characters');
  if (roleSessionName.length < 2 || roleSessionName.length > 64 || !NAME.test(roleSessionName)) {
    throw validation(
      `Value '${roleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  if (webIdentityToken.length < 4 || webIdentityToken.length > 20000) {
    throw validation('webIdentityToken must be 4..20000 characters');
  }
  if (input.policy !== undefined && (input.policy.length < 1 || input.policy.length > 2048)) {
    throw validation('policy must be 1..2048 characters');
  }
  const raw = input.durationSeconds;
  const duration = raw === undefined ? 3600 : Number(raw);
  if (raw !== undefined && (!/^\d+$/.test(raw) || duration < 900 || duration > 43200)) {
    throw validation(
      `Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
    );
  }
  return { roleArn, sessionName: roleSessionName, token: webIdentityToken, duration };
}

/** Session tags and SourceIdentity from the token's claims, checked as STS checks Tags. */
export function tokenSessionAttributes(payload: JWTPayload): {
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceIdentity: string | undefined;
} {
  const tags: Record<string, string> = {};
  const transitiveTagKeys: string[] = [];
  const claim = payload[TAGS_CLAIM];
  if (claim !== undefined) {
    const { principal_tags: principal, transitive_tag_keys: transitive } = (claim ?? {}) as {
      principal_tags?: unknown;
      transitive_tag_keys?: unknown;
    };
    if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) {
      throw rejected('The session tags claim has no principal_tags object.');
    }
    const seen = new Set<string>();
    for (const [key, values] of Object.entries(principal)) {
      const value = Array.isArray(values) && values.length === 1 ? values[0] : undefined;
      if (
        typeof value !== 'string' ||
        !TAG_KEY.test(key) ||
        key.length > 128 ||
        value.length > 256 ||
        !TAG_VALUE.test(value)
      ) {
        throw rejected(
          `Session tag ${key} is not a valid tag (one string value, STS's characters).`,
        );
      }
      if (/^aws:/i.test(key) || seen.has(key.toLowerCase()))
        throw rejected(`Session tag ${key} is reserved or repeated.`);
      seen.add(key.toLowerCase());
      tags[key] = value;
    }
    if (Object.keys(tags).length > MAX_TAGS) throw rejected(`More than ${MAX_TAGS} session tags.`);
    if (transitive !== undefined) {
      if (
        !Array.isArray(transitive) ||
        !transitive.every((k) => typeof k === 'string' && seen.has(k.toLowerCase()))
      ) {
        throw rejected('transitive_tag_keys must name session tags.');
      }
      transitiveTagKeys.push(...(transitive as string[]));
    }
  }
  const si = payload[SOURCE_IDENTITY_CLAIM];
  if (
    si !== undefined &&
    (typeof si !== 'string' ||
      si.length < 2 ||
      si.length > 64 ||
      !NAME.test(si) ||
      /^aws:/i.test(si))
  ) {
    throw rejected('The source identity claim is not a valid SourceIdentity.');
  }
  return { tags, transitiveTagKeys, sourceIdentity: si as string | undefined };
}

function compilePolicy(text: string | undefined): Policy | undefined {
  if (text === undefined) return undefined;
  try {
    JSON.parse(text);
    return parsePolicy(text);
  } catch (err) {
    const why = err instanceof PolicyError ? `${err.code} at ${err.path || '/'}` : 'not valid JSON';
    throw new QueryError(
      'MalformedPolicyDocument',
      400,
      `The policy is not in the valid JSON format (${why}).`,
    );
  }
}

/** The request context of a web identity federation request (AWS's documented keys). */
export function webIdentityContext(
  identity: VerifiedWebIdentity,
  attrs: ReturnType<typeof tokenSessionAttributes>,
  sessionName: string,
  env: WebIdentityEnv,
): Record<string, ContextValue> {
  const key = identity.providerKey;
  const ctx: Record<string, ContextValue> = {
    [`${key}:aud`]: identity.audience,
    [`${key}:sub`]: String(identity.payload.sub ?? ''),
    'sts:RoleSessionName': sessionName,
    'aws:CurrentTime': new Date(env.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': Math.floor(env.now / 1000),
    'aws:SecureTransport': false,
    'aws:SourceIp': env.sourceIp,
    'aws:UserAgent': env.userAgent,
    'aws:RequestedRegion': env.region,
  };
  if (attrs.sourceIdentity !== undefined) ctx['sts:SourceIdentity'] = attrs.sourceIdentity;
  const tagKeys = Object.keys(attrs.tags);
  if (tagKeys.length > 0) {
    for (const [k, v] of Object.entries(attrs.tags)) ctx[`aws:RequestTag/${k}`] = v;
    ctx['aws:TagKeys'] = tagKeys;
  }
  if (attrs.transitiveTagKeys.length > 0) ctx['sts:TransitiveTagKeys'] = attrs.transitiveTagKeys;
  return ctx;
}

function trustAllows(
  role: DirectoryRole,
  providerArn: string,
  action: string,
  context: Record<string, ContextValue>,
): boolean {
  const result = evaluate({
    request: {
      action,
      resource: role.arn,
      principal: { type: 'Federated', id: providerArn },
      context,
    },
    resourcePolicy: role.trustPolicy,
  });
  return result.decision === 'Allow';
}

export async function assumeRoleWithWebIdentity(
  input: WebIdentityInput,
  env: WebIdentityEnv,
  deps: { directory: Directory; registry: SessionRegistry; providers: OidcProviders },
): Promise<WebIdentityOutput> {
  const { roleArn, sessionName, token, duration } = checkInput(input);
  const account = ROLE_ARN.exec(roleArn)?.[1];
  if (account === undefined) throw validation(`${roleArn} is not a role ARN`);
  const sessionPolicy = compilePolicy(input.policy);
  const identity = await deps.providers.verify(token, account, env.now);
  const attrs = tokenSessionAttributes(identity.payload);
  const role = deps.directory.roleByArn(roleArn);
  const context = webIdentityContext(identity, attrs, sessionName, env);
  const actions = ['sts:AssumeRoleWithWebIdentity'];
  if (Object.keys(attrs.tags).length > 0) actions.push('sts:TagSession');
  if (attrs.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    if (!role || !trustAllows(role, identity.providerArn, action, context)) {
      throw new QueryError('AccessDenied', 403, `Not authorized to perform ${action}`);
    }
  }
  const target = role!;
  if (duration > target.config.maxSessionDuration) {
    throw validation(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
  let packed: number | undefined;
  if (input.policy !== undefined || Object.keys(attrs.tags).length > 0) {
    packed = packedPolicySize(input.policy, attrs.tags);
    if (packed > 100) {
      throw new QueryError(
        'PackedPolicyTooLarge',
        400,
        `Packed policy consumes ${packed}% of allotted space (${PACKED_POLICY_BYTES} bytes), please use smaller policy.`,
      );
    }
  }
  const session = deps.registry.issue({
    expiration: new Date(Math.floor(env.now / 1000) * 1000 + duration * 1000),
    role: target,
    sessionName,
    sessionPolicy,
    tags: attrs.tags,
    transitiveTagKeys: attrs.transitiveTagKeys,
    sourceIdentity: attrs.sourceIdentity,
  });
  return { session, identity, packedPolicySize: packed };
}
