/**
 * What the broker needs from the outside world. Each port has an in-memory implementation
 * (`@tessera/broker/testing`, testing.ts) for tests and the local stack, and AWS adapters on the `./aws` subpath.
 */
import type { AuditEvent } from './audit.js';
import type { Revocation } from './schema/revocation.js';
import type { SubjectPage, SubjectRecord } from './subjects.js';
import type {
  AssumeRoleParams,
  Binding,
  RoleFacts,
  VendedCredentials,
  VerifiedToken,
} from './types.js';

/** What a vend loads of one pool in one read: its bindings and its revocations. */
export interface PoolSnapshot {
  readonly bindings: readonly Binding[];
  readonly revocations: readonly Revocation[];
}

export interface BindingStore {
  /** Every binding of one issuer (user pool), enabled or not. */
  listByIssuer(issuer: string): Promise<readonly Binding[]>;
  /**
   * The pool's bindings and revocations, loaded together (one Query, one cache entry). A stored
   * revocation that does not parse fails the load (StoreUnavailable): never a silent un-revoke.
   */
  loadPool(issuer: string): Promise<PoolSnapshot>;
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

/** Revocation writes (the admin function). Reads come with the pool (`BindingStore.loadPool`). */
export interface RevocationStore {
  /** Creates (no item with that id may exist). */
  addRevocation(revocation: Revocation): Promise<void>;
  /**
   * Marks it lifted: RevocationError('RevocationNotFound') when it does not exist or is already
   * lifted.
   */
  liftRevocation(issuer: string, id: string, liftedAt: string, liftedBy: string): Promise<void>;
  /** Forgets a spent revocation (absent: nothing to do). */
  forgetRevocation(issuer: string, id: string): Promise<void>;
  /** Drops this function's cached snapshot of the pool, so the next load reads the table. */
  refresh(issuer: string): void;
}

/**
 * Writes Tessera's managed inline policy on a target role (IAM PutRolePolicy / DeleteRolePolicy).
 * Throws RolePolicyError with a fault.
 */
export interface RolePolicyWriter {
  putRolePolicy(roleArn: string, policyName: string, document: string): Promise<void>;
  /** Absent already: resolves. */
  deleteRolePolicy(roleArn: string, policyName: string): Promise<void>;
}
