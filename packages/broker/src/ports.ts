/**
 * What the broker needs from the outside world. Each port has an in-memory implementation
 * (`@tessera/broker/testing`, testing.ts) for tests and the local stack, and AWS adapters on the `./aws` subpath.
 */
import type { AuditEvent } from './audit.js';
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
