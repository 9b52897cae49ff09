/**
 * @tessera/broker: Tessera's domain. No AWS SDK here; adapters live on `@tessera/broker/aws`
 * (DynamoDB, STS, Cognito) and `@tessera/broker/aws-iam` (IAM role inspector), table provisioning
 * on `@tessera/broker/provisioning`, test doubles on `@tessera/broker/testing`.
 */

export {
  type AccessEnv,
  canAssume,
  decisionFor,
  decisiveReasons,
  type PreparedSubject,
  prepareSubject,
} from './access.js';
export {
  type AuditAction,
  type AuditEvent,
  type AuditResult,
  blankEvent,
  bounded,
  storableEvent,
  subjectOf,
} from './audit.js';
export {
  type AuditFilter,
  type AuditPage,
  type AuditPlan,
  type AuditQuery,
  type AuditReader,
  auditPlan,
  DEFAULT_AUDIT_WINDOW_DAYS,
  isCursorOf,
  MAX_AUDIT_LIMIT,
} from './audit-query.js';
export {
  accountOf,
  type BindingWarning,
  type CompiledBinding,
  compileBinding,
  fieldIssues,
  type ParsedBinding,
  parseBinding,
} from './binding.js';
export { type BindingAdmin, type BindingAdminDeps, createBindingAdmin } from './binding-admin.js';
export {
  type BodyDigest,
  type Broker,
  type BrokerDeps,
  type BrokerLog,
  createBroker,
  createRecorder,
  type Recorder,
  type RecorderDeps,
  type Refusal,
  type Simulation,
} from './broker.js';
export { type Clock, fixedClock, systemClock } from './clock.js';
export {
  type Answer,
  type Audience,
  answerFor,
  CODES,
  type Code,
  type CodeRow,
  DEFAULT_RETRY_AFTER_SECONDS,
  isCode,
  isFailureCode,
} from './codes.js';
export { federatedPrincipal, requestContext } from './context.js';
export { type Decided, type Decision, type DecisionInput, decide, sha256Hex } from './decision.js';
export { checkRequestedDuration, resolveDuration } from './duration.js';
export * from './errors.js';
export { signJwt } from './jwt.js';
export {
  activeKey,
  type KeyScheduleOptions,
  publishedKeys,
  retiredKeys,
  type ScheduledKey,
} from './key-rotation.js';
export {
  discoveryDocument,
  jwksDocument,
  oidcProviderArn,
  providerKey,
  type SigningKeys,
  scheduledKeys,
  wellKnownUrls,
} from './oidc-issuer.js';
export type { BindingRef, Deny, Failure, Grant, Outcome, Stage } from './outcome.js';
export {
  canonicalJson,
  permissionSnapshot,
} from './permission-snapshot.js';
export type {
  AuditSink,
  BindingStore,
  CredentialVendor,
  GrantHistory,
  PoolSnapshot,
  RevocationStore,
  RoleInspector,
  RolePolicyWriter,
  SubjectStore,
  TokenVerifier,
} from './ports.js';
export {
  MemoryRateLimiter,
  type RateLimit,
  type RateLimiter,
  type RateLimits,
  type Take,
} from './rate-limit.js';
export { renderPolicy, renderString, renderTags, unsafeClaimValue } from './render.js';
export {
  type AccessReview,
  type Assumable,
  accessReview,
  assumableBindings,
  DEFAULT_STALE_AFTER_DAYS,
  type ReviewBindingSubject,
  type ReviewInput,
  type ReviewRevokedSubject,
  type ReviewSubjectBinding,
  type ReviewUse,
  type RevokedMarker,
} from './review.js';
export {
  csvField,
  REVIEW_CSV_COLUMNS,
  reviewCsvText,
  reviewRows,
} from './review-csv.js';
export {
  describeRevocation,
  type Revocation,
  type RevocationState,
  revocationOf,
  revocationState,
  revokedIdentities,
} from './revocation.js';
export {
  createRevocationAdmin,
  type RevocationAdmin,
  type RevocationAdminDeps,
  type RevocationWrite,
  type RoleUpdate,
} from './revocation-admin.js';
export {
  type PolicyInput,
  planRolePolicy,
  policyChars,
  REVOCATION_POLICY_NAME,
  REVOCATION_SKEW_SECONDS,
  ROLE_INLINE_POLICY_CHARS,
  type RolePolicyPlan,
  type RoleTarget,
  revocationWindow,
  spentRevocations,
} from './revocation-policy.js';
export {
  BINDING_ID,
  type BindingDocument,
  type BindingIssueCode,
  type BindingProblemCode,
  bindingSchema,
  type CheckedBinding,
  checkBinding,
  type PolicyFindingCode,
  ROLE_ARN,
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
export {
  parseRevocationRequest,
  type RevocationRequest,
  revocationRequestSchema,
} from './schema/revocation.js';
export { sessionName } from './session-name.js';
export {
  jwkThumbprint,
  type PublicJwk,
  type Signer,
  SignerError,
  type SignerErrorCode,
  type SigningAlgorithm,
} from './signer.js';
export {
  type CheckResult,
  checkSession,
  failingElements,
  grantingElements,
  parseChecks,
  type SessionCheck,
  type SimulatedDecision,
  type SimulationAnswer,
  type SimulationAudience,
  type SimulationReason,
  simulatedDecision,
  simulationAnswer,
} from './simulation.js';
export {
  DEFAULT_SUBJECT_TTL_DAYS,
  decodeSubjectCursor,
  encodeSubjectCursor,
  type KnownSubject,
  knownSubject,
  MAX_SUBJECT_PAGE,
  SUBJECT_LIMITS,
  type SubjectAction,
  type SubjectFacts,
  type SubjectPage,
  type SubjectRecord,
  storableClaims,
  subjectRecord,
} from './subjects.js';
export {
  type NotTargetable,
  notTargetable,
  type TargetRoleScope,
  type TargetRoles,
} from './target-roles.js';
export {
  followGrant,
  type GrantTrail,
  lookupForGrant,
  type NotSearchedReason,
  summariseTrailRecord,
  type TrailCoverage,
  type TrailEntry,
  type TrailLookup,
  type TrailSearch,
  type TrailSource,
  trailEntries,
} from './trail.js';
export {
  type ClaimVocabulary,
  type CustomAttribute,
  checkTrustVocabulary,
  knownTokenKeys,
  STANDARD_CLAIMS,
  TRUST_POLICY_ACTIONS,
} from './trust-vocabulary.js';
export type * from './types.js';
export {
  AWS_SOURCE_IDENTITY_CLAIM,
  AWS_TAGS_CLAIM,
  type MintedToken,
  mintWebIdentityToken,
  WEB_IDENTITY_TOKEN_SECONDS,
  type WebIdentityTokenInput,
  webIdentityClaims,
  webIdentitySubject,
} from './web-identity-token.js';
export {
  type BindingImpact,
  MAX_LISTED_IMPACTS,
  MAX_WHAT_IF_CHANGES,
  mergeImpacts,
  type ProposedChange,
  parseWhatIf,
  type SubjectImpact,
  type WhatIfInput,
  type WhatIfTarget,
  whatIf,
  whatIfBodySchema,
} from './what-if.js';
