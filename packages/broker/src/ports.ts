/**
 * What the broker needs from the outside world. Each port has an in-memory implementation
 * (`@tessera/broker/testing`, testing.ts) for tests and the local stack, and AWS adapters on the `./aws` subpath.
 */
import type { AuditEvent } from './audit.js';
import type { SubjectPage, SubjectRecord } from './subjects.js';
import type {
  AssumeRoleParams,
  Binding,
  RoleFacts,
  VendedCredentials,
  VerifiedToken,
} from './types.js';

export interface BindingStore {
  /** Every binding of one issuer (user pool), enabled or not. */
  listByIssuer(issuer: string): Promise<readonly Binding[]>;
  get(issuer: string, id: string): Promise<Binding | undefined>;
  /**
   * Conditional single-item write. `binding.version === 1` requires that no item exists
   * (BindingError 'BindingExists'); otherwise the stored version must be `binding.version - 1`
   * (BindingError 'BindingVersionConflict').
   */
  put(binding: Binding): Promise<void>;
  /** Deletes when the stored version is `version` (else 'BindingVersionConflict' / 'BindingNotFound'). */
  delete(issuer: string, id: string, version: number): Promise<void>;
}

/**
 * Mints the decided session: AssumeRole (StsCredentialVendor) or AssumeRoleWithWebIdentity with a
 * token Tessera signs for `caller` (WebIdentityCredentialVendor). Throws VendError.
 */
export interface CredentialVendor {
  assumeRole(params: AssumeRoleParams, caller: VerifiedToken): Promise<VendedCredentials>;
}

export interface AuditSink {
  /** Resolves once the event is durably stored; throws StoreError('AuditUnavailable') otherwise. */
  write(event: AuditEvent): Promise<void>;
}

export interface TokenVerifier {
  /** Verify a raw bearer token. Throws TokenError. */
  verify(rawToken: string): Promise<VerifiedToken>;
}

/**
 * Reads what IAM says about a role when a binding is written or seeded: MaxSessionDuration and
 * description (GetRole), and the permission policies (ListRolePolicies + GetRolePolicy,
 * ListAttachedRolePolicies + GetPolicy + GetPolicyVersion). Never called on a vend.
 */
export interface RoleInspector {
  maxSessionDuration(roleArn: string): Promise<number>;
  inspect(roleArn: string): Promise<RoleFacts>;
}

/**
 * The subjects table (subjects.ts): per pool and subject, the request context of the subject's
 * last vend, kept for a retention window (TTL). Not a security decision: a failed write is logged
 * and the vend's answer stands (DESIGN "Subjects").
 */
export interface SubjectStore {
  /** Replaces the subject's record. Throws StoreError('StoreUnavailable') when it cannot. */
  record(subject: SubjectRecord): Promise<void>;
  /**
   * One page of a pool's subjects still within their retention (by `sub`), at most `limit`.
   * `cursor` is one a previous page of the same issuer answered; another is a TypeError.
   */
  page(issuer: string, options: { limit: number; cursor?: string }): Promise<SubjectPage>;
  /** Whether `cursor` is one this store issued for `issuer` (callers answer 400 otherwise). */
  isCursorOf(cursor: string, issuer: string): boolean;
}

/** When each binding was last granted to a subject (the audit log's vends and console links). */
export interface GrantHistory {
  /**
   * The newest grant per binding id among `bindingIds` for `subject` (`<iss>|<sub>`) at or after
   * `since` (ISO 8601): binding id -> ISO time. Reads newest first and stops once every binding
   * asked for is found. Throws StoreError('AuditUnavailable') when the log cannot be read.
   */
  lastGrants(
    subject: string,
    bindingIds: readonly string[],
    since: string,
  ): Promise<ReadonlyMap<string, string>>;
}
