/**
 * @tessera/broker: Tessera's domain. No AWS SDK here; adapters live on `@tessera/broker/aws`
 * (DynamoDB, STS, Cognito) and `@tessera/broker/aws-iam` (IAM role inspector).
 */
export {
  ANONYMOUS,
  type AuditAction,
  type AuditEvent,
  type AuditResult,
  blankEvent,
  subjectOf,
} from './audit.js';
export {
  accountOf,
  BindingCompiler,
  type BindingWarning,
  type CompiledBinding,
  compileBinding,
  DEFAULT_SOURCE_IDENTITY,
  fieldIssues,
  type ParsedBinding,
  parseBinding,
  roleNameOf,
  trustWarnings,
} from './binding.js';
export { type BindingAdmin, type BindingAdminDeps, createBindingAdmin } from './binding-admin.js';
export { type Broker, type BrokerDeps, type BrokerLog, createBroker } from './broker.js';
export { type Clock, fixedClock, systemClock } from './clock.js';
export { federatedPrincipal, requestContext } from './context.js';
export {
  type BindingRef,
  type Decision,
  type DecisionInput,
  type Deny,
  type DenyReason,
  decide,
  denialError,
  type Grant,
  sha256Hex,
} from './decision.js';
export { checkRequestedDuration, effectiveMaxDuration, resolveDuration } from './duration.js';
export * from './errors.js';
export { STS_LIMITS } from './limits.js';
export {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryRoleInspector,
  MemoryTokenVerifier,
} from './memory.js';
export type {
  AuditSink,
  BindingStore,
  CredentialVendor,
  RoleInspector,
  TokenVerifier,
} from './ports.js';
export { renderPolicy, renderString, renderTags, unsafeClaimValue } from './render.js';
export {
  BINDING_ID,
  type BindingDocument,
  type BindingIssueCode,
  type BindingProblemCode,
  bindingSchema,
  type CheckedBinding,
  checkBinding,
  type PolicyFindingCode,
} from './schema/binding.js';
export {
  type BindingWriteDocument,
  type BindingWriteTarget,
  parseBindingWrite,
  SERVER_FIELDS,
  sentBinding,
} from './schema/binding-write.js';
export {
  type CredentialsBody,
  credentialsBodySchema,
  parseCredentialsBody,
} from './schema/credentials.js';
export {
  parseWith,
  pointerOf,
  problemsFrom,
  type SchemaProblem,
  type SchemaProblemCode,
  type SchemaResult,
} from './schema/problems.js';
export { sessionName } from './session-name.js';
export type * from './types.js';
