/**
 * Physical names and ARNs, derived from the validated stage. Every resource the policies name gets
 * an explicit physical name, so the policy documents are known before a deploy (`npm run synth`)
 * and are exactly the ones deployed.
 */
import type { Stage } from './config.js';
import type { FunctionName, RoleKind } from './functions.js';

export function prefix(stage: Stage): string {
  return `${stage.app}-${stage.name}`;
}

export const tableName = {
  bindings: (stage: Stage) => `${prefix(stage)}-bindings`,
  audit: (stage: Stage) => `${prefix(stage)}-audit`,
  subjects: (stage: Stage) => `${prefix(stage)}-subjects`,
};

export function functionName(stage: Stage, fn: FunctionName): string {
  return `${prefix(stage)}-${fn}`;
}

export function roleName(stage: Stage, kind: RoleKind): string {
  return `${prefix(stage)}-${kind}`;
}

export function roleArn(stage: Stage, name: string, path = '/'): string {
  return `arn:${stage.partition}:iam::${stage.account}:role${path}${name}`;
}

/** The role the vend function runs as: the principal every target role trusts. */
export function brokerRoleArn(stage: Stage): string {
  return roleArn(stage, roleName(stage, 'broker'));
}

export function tableArn(stage: Stage, table: string): string {
  return `arn:${stage.partition}:dynamodb:${stage.region}:${stage.account}:table/${table}`;
}

export function indexArn(stage: Stage, table: string, index: string): string {
  return `${tableArn(stage, table)}/index/${index}`;
}

/** The log streams of one function (SST creates the group `/aws/lambda/<function name>`). */
export function logStreamsArn(stage: Stage, fn: FunctionName): string {
  return `arn:${stage.partition}:logs:${stage.region}:${stage.account}:log-group:/aws/lambda/${functionName(stage, fn)}:*`;
}

/** The role the cross-account template creates for the trail routes: LookupEvents only. */
export const TRAIL_READER_ROLE = 'tessera-trail-reader';

/** The trail reader role of an account (the cross-account template's default name). */
export function trailReaderRoleArn(stage: Stage, account: string): string {
  return `arn:${stage.partition}:iam::${account}:role/${TRAIL_READER_ROLE}`;
}

/** The role the audit function runs as (the trail routes' LookupEvents caller). */
export function auditorRoleArn(stage: Stage): string {
  return roleArn(stage, roleName(stage, 'auditor'));
}

/** The optional trail recording the example bucket's S3 data events, and its log bucket. */
export const dataEventsTrail = {
  name: (stage: Stage) => `${prefix(stage)}-data-events`,
  bucket: (stage: Stage) => `${prefix(stage)}-data-events-${stage.account}`,
  arn: (stage: Stage) =>
    `arn:${stage.partition}:cloudtrail:${stage.region}:${stage.account}:trail/${prefix(stage)}-data-events`,
};
