/** @tessera/broker/aws-iam: the IAM role inspector (admin and seeding paths only). */
export { IamRoleInspector, type IamRoleInspectorOptions } from './adapters/iam.js';
