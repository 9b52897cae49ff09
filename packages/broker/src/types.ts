/**
 * The broker's data: bindings, verified tokens, vend requests and answers, AssumeRole parameters.
 * No behaviour here.
 */
import type { EvaluationDecision, ExplainedStatement } from '@tessera/policy';

/** A JSON value as parsed (policies, templates). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** A claim as verified: JWT payload values. Arrays stay arrays (multivalued condition keys). */
export type Claims = Readonly<Record<string, unknown>>;

/** The output of a TokenVerifier: only verified data. */
export interface VerifiedToken {
  /** The `iss` claim, e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC`. */
  readonly issuer: string;
  readonly userPoolId: string;
  /** `aud` (ID token) or `client_id` (access token). */
  readonly clientId: string;
  readonly tokenUse: 'id' | 'access';
  readonly subject: string;
  /** `cognito:username` or `username`, when present. */
  readonly username: string | undefined;
  readonly claims: Claims;
}

/** A validated binding and its duration bounds: derived from the schema (schema/binding.ts). */
export type { Binding, DurationBounds } from './schema/binding.js';

/** How a binding's credentials are minted (the binding's `vendor`, schema/binding.ts). */
export type VendorKind = import('./schema/binding.js').Binding['vendor'];
export type ExplainLevel = 'keys' | 'full';

/** One permission policy of a role, as IAM returned it. */
export interface RolePermissionPolicy {
  readonly kind: 'inline' | 'managed';
  /** The inline policy's name, or the managed policy's name. */
  readonly name: string;
  /** Managed policies: the policy ARN and the default version read. */
  readonly arn?: string;
  readonly versionId?: string;
  readonly document: JsonObject;
}

/** A role's permission policies at the time a binding was written. */
export interface PermissionSnapshot {
  readonly policies: readonly RolePermissionPolicy[];
  /** SHA-256 (hex) of the canonical JSON of `policies`. */
  readonly sha256: string;
}

/** What IAM says about a role when a binding is written. */
export interface RoleFacts {
  readonly maxSessionDuration: number;
  readonly description: string;
  readonly permissionPolicies: PermissionSnapshot | null;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** Exactly the AssumeRole parameters a grant sends. */
export interface AssumeRoleParams {
  readonly RoleArn: string;
  readonly RoleSessionName: string;
  readonly DurationSeconds: number;
  readonly Policy: string | undefined;
  readonly Tags: readonly Tag[];
  readonly TransitiveTagKeys: readonly string[];
  readonly SourceIdentity: string;
  readonly ExternalId: string | undefined;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
}

export interface VendedCredentials {
  readonly credentials: Credentials;
  readonly assumedRoleArn: string;
  readonly requestId: string;
  /** The web-identity vendor's token id (`jti`), joined to CloudTrail; undefined for AssumeRole. */
  readonly webIdentityTokenId?: string;
}

export type ClampedBy = 'none' | 'binding-max' | 'role-max' | 'role-chaining';

export interface ResolvedDuration {
  readonly seconds: number;
  readonly clampedBy: ClampedBy;
}

/** Where the request came from, as the transport saw it (not verified identity). */
export interface RequestOrigin {
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly secureTransport: boolean;
  /** The API's id of the request (API Gateway's `requestContext.requestId`), when known. */
  readonly requestId?: string | undefined;
}

/** A request to vend credentials. `rawToken` is untrusted until verified. */
export interface VendRequest {
  readonly rawToken: string | undefined;
  /** A binding id or a role ARN (see README "role"). */
  readonly role: string;
  /** Untrusted: checked by the broker (`DurationInvalid`, `DurationTooShort`). */
  readonly durationSeconds?: unknown;
  /** Caller-supplied scope-down session policy (untrusted JSON). */
  readonly policy?: unknown;
  readonly origin: RequestOrigin;
  /** What the credentials are for: the audit event's action (`console`: a sign-in link). Default `vend`. */
  readonly purpose?: 'vend' | 'console';
}

export interface VendResult {
  readonly credentials: Credentials;
  readonly roleArn: string;
  readonly assumedRoleArn: string;
  readonly bindingId: string;
  readonly durationSeconds: number;
  readonly clampedBy: ClampedBy;
  readonly sourceIdentity: string;
  readonly sessionName: string;
  /** Which vendor minted the session (an AssumeRole session from the broker's is role chaining). */
  readonly vendor: VendorKind;
}

/**
 * A dry run of a vend (no STS call). `claims`, for members of the administrators' group only:
 * decide for these claims instead of the caller's own (the caller's pool); the run is then
 * audited as a simulation, naming the administrator and the simulated `sub`.
 */
export interface SimulateRequest extends VendRequest {
  readonly claims?: Claims;
}

export interface ListRolesRequest {
  readonly rawToken: string | undefined;
  readonly origin: RequestOrigin;
}

export interface RoleEntry {
  readonly bindingId: string;
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's IAM description, read when the binding was written ('' when none). */
  readonly description: string;
  readonly defaultDurationSeconds: number;
  readonly maxDurationSeconds: number;
}

export interface AccountRoles {
  readonly accountId: string;
  readonly roles: readonly RoleEntry[];
}

export interface ListRolesResult {
  readonly accounts: readonly AccountRoles[];
}

/** An internal failure the evaluator reported beside its decision (a bug, never a plain deny). */
export interface EvaluationError {
  readonly policy: string;
  readonly statement: number;
  readonly code: string;
  readonly message: string;
}

/** The evaluator's explanation for one binding tried: the audit event's trace. */
export interface TraceEntry {
  readonly bindingId: string;
  readonly bindingVersion: number;
  readonly decision: EvaluationDecision | 'NotEvaluated';
  readonly explain: readonly ExplainedStatement[];
  /** The evaluator's own errors: when any, the decision is `EvaluationFailed`. */
  readonly errors: readonly EvaluationError[];
}
