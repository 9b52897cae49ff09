/**
 * The API's answers, as the client reads them (README "API", packages/functions/README.md, and the
 * contract of issue 16 for simulate, audit and console). No behaviour here.
 */

/** A policy document (IAM policy language). */
export type PolicyDocument = Readonly<Record<string, unknown>>;

export type Clamp = 'none' | 'binding-max' | 'role-max' | 'role-chaining';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
}

/** `POST /v1/credentials` */
export interface VendRequest {
  readonly role: string;
  readonly durationSeconds?: number;
  readonly policy?: PolicyDocument;
}

export interface VendAnswer {
  readonly credentials: AwsCredentials;
  readonly roleArn: string;
  readonly durationSeconds: number;
  readonly clampedBy: Clamp;
  readonly sourceIdentity: string;
  readonly sessionName: string;
}

/** The AWS CLI `credential_process` shape. */
export interface CredentialProcessOutput {
  readonly Version: 1;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  readonly Expiration: string;
}

/** `GET /v1/roles` */
export interface RoleEntry {
  readonly bindingId: string;
  readonly roleArn: string;
  readonly roleName: string;
  readonly defaultDurationSeconds: number;
  readonly maxDurationSeconds: number;
  readonly description?: string;
}

export interface AccountRoles {
  readonly accountId: string;
  readonly accountName?: string;
  readonly roles: readonly RoleEntry[];
}

export interface RolesAnswer {
  readonly accounts: readonly AccountRoles[];
}

/** `POST /v1/simulate` (issue 16). */
export interface SimulateRequest {
  readonly role: string;
  readonly durationSeconds?: number;
  readonly policy?: PolicyDocument;
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly sourceIp?: string;
  readonly check?: readonly {
    readonly action: string;
    readonly resource: string;
    readonly context?: Readonly<Record<string, unknown>>;
  }[];
}

/** Why a simulated vend is refused or allowed, or what a check found. */
export interface SimulationReason {
  readonly code: string;
  readonly bindingId?: string;
  /** `trust`, `session`, or a role permission policy's name. */
  readonly policy?: string;
  readonly statement?: number;
  readonly sid?: string;
  readonly element?: string;
  readonly key?: string;
  readonly operator?: string;
  /** Expected and actual values in words (administrators, or bindings with `explain: "full"`). */
  readonly detail?: string;
}

export interface CheckResult {
  readonly action: string;
  readonly resource: string;
  readonly decision: 'allow' | 'deny' | 'unknown';
  readonly reasons: readonly SimulationReason[];
}

export interface SimulateAnswer {
  readonly decision: 'allow' | 'deny';
  readonly bindingId?: string;
  readonly roleArn?: string;
  readonly durationSeconds?: number;
  readonly clampedBy?: Clamp;
  readonly sessionPolicy?: PolicyDocument | null;
  readonly tags?: readonly { readonly Key: string; readonly Value: string }[];
  readonly sourceIdentity?: string;
  readonly reasons: readonly SimulationReason[];
  readonly trace?: readonly unknown[];
  readonly checks?: readonly CheckResult[];
}

/** `GET /v1/audit`, `GET /v1/audit/me` (issue 16). */
/** The query parameters of `GET /v1/audit`, named as the route reads them. */
export interface AuditQuery {
  /** `<iss>|<sub>`. */
  readonly subject?: string;
  /** A binding id. */
  readonly binding?: string;
  readonly roleArn?: string;
  readonly result?: 'grant' | 'deny' | 'error';
  /** ISO 8601, inclusive bounds. */
  readonly from?: string;
  readonly to?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface AuditEventSummary {
  readonly eventId: string;
  readonly subject: string;
  readonly result: string;
  readonly accessKeyId?: string;
  readonly [field: string]: unknown;
}

export interface AuditPage {
  readonly events: readonly AuditEventSummary[];
  readonly cursor?: string;
}

/** One call made with vended credentials, as CloudTrail recorded it (issue 15). */
export interface TrailEntry {
  readonly eventId: string;
  readonly time: string;
  /** The caller's ARN (the assumed-role session). */
  readonly who?: string;
  readonly sourceIdentity?: string;
  readonly accessKeyId?: string;
  /** `<service>:<EventName>`, e.g. `s3:PutObject`. */
  readonly action: string;
  readonly resources: readonly string[];
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly result: 'allowed' | 'denied';
  readonly errorCode?: string;
}

/** What a trail search covers: management events, data events (S3 object calls). */
export interface TrailCoverage {
  readonly events: 'management' | 'data';
  readonly searched: boolean;
  readonly detail: string;
}

/** The trail of one audit event. */
export interface GrantTrail {
  /** Null for an event that vended no credentials. */
  readonly lookup: {
    readonly accountId: string;
    readonly accessKeyId: string;
    readonly from: string;
    readonly to: string;
  } | null;
  readonly coverage: readonly TrailCoverage[];
  readonly searchedAccounts: readonly string[];
  readonly notSearched: readonly {
    readonly accountId: string;
    readonly reason: string;
    readonly detail: string;
  }[];
  /** Oldest first. */
  readonly entries: readonly TrailEntry[];
  readonly truncated: boolean;
}

/** `GET /v1/audit/{eventId}/trail`. */
export interface EventTrailAnswer {
  readonly event: AuditEventSummary;
  readonly trail: GrantTrail;
}

/** The query parameters of `GET /v1/audit/trail`: `subject` or `username`. */
export interface SubjectTrailQuery {
  readonly subject?: string;
  readonly username?: string;
  readonly from?: string;
  readonly to?: string;
  /** 1..20 grants a page (default 10). */
  readonly limit?: number;
  readonly cursor?: string;
}

/** `GET /v1/audit/trail`: grants newest first, each with its trail. */
export interface SubjectTrailPage {
  readonly grants: readonly EventTrailAnswer[];
  readonly coverage: readonly TrailCoverage[];
  readonly cursor?: string;
}

/** `POST /v1/console` (issue 16). */
export interface ConsoleRequest {
  readonly role: string;
  readonly durationSeconds?: number;
  readonly destination?: string;
}

export interface ConsoleAnswer {
  readonly url: string;
  readonly expiresAt: string;
  readonly roleArn: string;
}

/** A binding as the admin routes return it. */
export interface StoredBinding {
  readonly id: string;
  readonly issuer: string;
  readonly roleArn: string;
  readonly version: number;
  readonly [field: string]: unknown;
}

export interface BindingWithVersion {
  readonly binding: StoredBinding;
  /** The ETag's version. */
  readonly version: number;
}

export interface BindingWriteAnswer {
  readonly binding: StoredBinding;
  readonly warnings: readonly { code: string; path?: string; field?: string; message: string }[];
  readonly created: boolean;
}

/** `POST /v1/admin/what-if` (issue 17): bindings as a write sends them (with `id`), ids removed. */
export interface WhatIfRequest {
  readonly put?: readonly Readonly<Record<string, unknown>>[];
  readonly remove?: readonly string[];
}

/** Why a subject's access changes: the decisive statement or condition (or a refusal's code). */
export interface DecisiveReason {
  readonly code: string;
  readonly policy?: string;
  readonly statement?: number;
  readonly sid?: string;
  readonly key?: string;
  readonly operator?: string;
  readonly detail?: string;
}

export interface SubjectImpact {
  readonly subject: string;
  readonly sub: string;
  readonly username: string | null;
  readonly lastSeenAt: string;
  readonly approximate: boolean;
  readonly reasons: readonly DecisiveReason[];
}

export interface BindingImpact {
  readonly bindingId: string;
  readonly change: 'create' | 'update' | 'remove';
  readonly roleArn: { readonly before: string | null; readonly after: string | null };
  /** The first 1,000 subjects gaining access; `gainCount` counts them all. */
  readonly gains: readonly SubjectImpact[];
  readonly gainCount: number;
  readonly loses: readonly SubjectImpact[];
  readonly loseCount: number;
  readonly keeps: number;
}

export interface WhatIfAnswer {
  readonly issuer: string;
  readonly evaluatedAt: string;
  readonly subjectsEvaluated: number;
  /** False when the pool has more recorded subjects than one what-if evaluates. */
  readonly complete: boolean;
  readonly bindings: readonly BindingImpact[];
}

/** `GET /v1/admin/review` (JSON), one page of subjects. */
export interface ReviewQuery {
  readonly limit?: number;
  readonly cursor?: string;
  readonly staleAfterDays?: number;
  readonly issuer?: string;
  /** The CSV's rows by binding (default) or by subject (the JSON answer has both sides). */
  readonly by?: 'binding' | 'subject';
}

export interface ReviewUse {
  readonly lastUsedAt: string | null;
  readonly stale: boolean;
}

/** The revocation refusing a subject every vend now (the kill switch), as the review shows it. */
export interface ReviewRevoked {
  readonly revocationId: string;
  readonly reason: string;
  /** When it ends by itself; null: until lifted. */
  readonly until: string | null;
}

export interface ReviewPageSubject extends ReviewUse {
  readonly subject: string;
  readonly sub: string;
  readonly username: string | null;
  readonly lastSeenAt: string;
}

export interface ReviewPage {
  readonly issuer: string;
  readonly generatedAt: string;
  readonly usedSince: string;
  readonly staleAfterDays: number;
  readonly bindings: readonly {
    readonly bindingId: string;
    readonly roleArn: string;
    readonly enabled: boolean;
    /** Who can assume it now. */
    readonly subjects: readonly ReviewPageSubject[];
    /** Whom trust allows but a revocation refuses: they cannot assume it now. */
    readonly revokedSubjects: readonly (ReviewPageSubject & { readonly revoked: ReviewRevoked })[];
  }[];
  readonly subjects: readonly {
    readonly subject: string;
    readonly sub: string;
    readonly username: string | null;
    readonly lastSeenAt: string;
    readonly approximate: boolean;
    /** The active revocation naming the subject (then `bindings` is empty), or null. */
    readonly revoked: ReviewRevoked | null;
    readonly bindings: readonly ({
      readonly bindingId: string;
      readonly roleArn: string;
    } & ReviewUse)[];
    /** What the revocation withholds: the bindings trust allows. */
    readonly revokedBindings: readonly ({
      readonly bindingId: string;
      readonly roleArn: string;
    } & ReviewUse)[];
  }[];
  readonly cursor?: string;
}

/** A revocation as the admin routes answer it (`/v1/admin/revocations`). */
export interface Revocation {
  readonly id: string;
  readonly issuer: string;
  readonly subject?: string;
  readonly username?: string;
  readonly reason: string;
  readonly revokedAt: string;
  readonly until?: string;
  readonly revokedBy: string;
  readonly liftedAt?: string;
  readonly liftedBy?: string;
  readonly state: 'active' | 'lifted' | 'ended';
}

export interface RevocationRequest {
  readonly subject?: string;
  readonly username?: string;
  readonly reason: string;
  readonly until?: string;
}

/** What a revocation write answers: the roles whose managed deny policy was written, and who not. */
export interface RevocationWriteAnswer {
  readonly revocation: Revocation;
  /** The longest delay until every warm vend function sees it (the binding cache's TTL). */
  readonly propagation: { readonly maxDelaySeconds: number };
  readonly policyName: string;
  readonly roles: readonly {
    readonly roleArn: string;
    readonly account: string;
    readonly result: 'put' | 'deleted' | 'failed';
    readonly fault?: string;
    readonly chars: number;
    readonly budget: number;
  }[];
  readonly accountsNotUpdated: readonly string[];
}

/** The tokens a sign-in gives (Cognito's names, camel-cased). */
export interface TokenSet {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** ms since epoch when the ID/access tokens expire. */
  readonly expiresAt: number;
}
