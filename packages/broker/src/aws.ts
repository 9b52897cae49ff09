/**
 * @tessera/broker/aws: the AWS adapters of the broker's ports — DynamoDB binding store and audit
 * sink, STS credential vendor, Cognito token verifier, KMS signer (Tessera's OIDC issuer key). The IAM role inspector is on
 * `@tessera/broker/aws-iam`, so a vend bundle never carries the IAM client.
 */

export {
  type CognitoPool,
  CognitoTokenVerifier,
  type CognitoVerifierOptions,
} from './adapters/cognito.js';
export {
  type AuditQuery,
  DynamoAuditSink,
  type DynamoAuditSinkOptions,
  DynamoBindingStore,
  type DynamoBindingStoreOptions,
} from './adapters/dynamodb.js';
export { DynamoAuditReader, type DynamoAuditReaderOptions } from './adapters/dynamodb-audit.js';
export { auditTable, bindingsTable, subjectsTable } from './adapters/dynamodb-schema.js';
export {
  DynamoSubjectStore,
  type DynamoSubjectStoreOptions,
} from './adapters/dynamodb-subjects.js';
export {
  createKmsClient,
  createKmsSigner,
  derToJose,
  type KmsSignerOptions,
} from './adapters/kms.js';
export {
  type AwsCredentials,
  createStsClient,
  StsCredentialVendor,
  type StsVendorOptions,
} from './adapters/sts.js';
export {
  WebIdentityCredentialVendor,
  type WebIdentityVendorOptions,
} from './adapters/web-identity.js';
