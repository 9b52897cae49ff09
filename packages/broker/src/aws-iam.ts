/**
 * @tessera/broker/aws-iam: the IAM role inspector and the role policy writer (admin and seeding
 * paths only).
 */
export { IamRoleInspector, type IamRoleInspectorOptions } from './adapters/iam.js';
export {
  IamRolePolicyWriter,
  type IamRolePolicyWriterOptions,
} from './adapters/iam-policy-writer.js';
