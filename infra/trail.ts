/**
 * The optional trail of S3 data events (pure documents; infra/trail-deploy.ts deploys them).
 * LookupEvents — what the trail routes search — holds management events only: S3 object calls
 * (PutObject, GetObject) are data events, recorded only by a trail that selects them (or
 * CloudTrail Lake). With `trail.dataEvents`, the stage gets one trail recording the object calls on
 * the example upload bucket into its own log bucket; the trail routes name it in their answers.
 */
import { ConfigError, type Stage } from './config.js';
import { dataEventsTrail } from './naming.js';

export interface DataEventsTrailPlan {
  readonly trailName: string;
  readonly trailArn: string;
  /** Where CloudTrail writes the log files. */
  readonly logBucket: string;
  /** The bucket whose object calls are recorded. */
  readonly watchedBucket: string;
}

/** The trail to create, or null when the stage asks for none. */
export function dataEventsTrailOf(stage: Stage): DataEventsTrailPlan | null {
  if (!stage.trail.dataEvents) return null;
  if (stage.examples === null) {
    throw new ConfigError([
      {
        code: 'InvalidValue',
        pointer: `/stages/${stage.name}/trail/dataEvents`,
        message: 'records the example upload bucket: set examples, or dataEvents: false',
      },
    ]);
  }
  return {
    trailName: dataEventsTrail.name(stage),
    trailArn: dataEventsTrail.arn(stage),
    logBucket: dataEventsTrail.bucket(stage),
    watchedBucket: stage.examples.uploadBucket,
  };
}

/** Object-level calls on the watched bucket only (advanced event selectors), nothing else. */
export function dataEventSelectors(stage: Stage, plan: DataEventsTrailPlan) {
  return [
    {
      name: 'Object calls on the example upload bucket',
      fieldSelectors: [
        { field: 'eventCategory', equals: ['Data'] },
        { field: 'resources.type', equals: ['AWS::S3::Object'] },
        {
          field: 'resources.ARN',
          startsWiths: [`arn:${stage.partition}:s3:::${plan.watchedBucket}/`],
        },
      ],
    },
  ];
}

/** The log bucket's policy: this trail (aws:SourceArn) may write its logs; TLS only. */
export function logBucketPolicy(stage: Stage, plan: DataEventsTrailPlan) {
  const bucket = `arn:${stage.partition}:s3:::${plan.logBucket}`;
  const fromThisTrail = { 'aws:SourceArn': plan.trailArn };
  return {
    Version: '2012-10-17' as const,
    Statement: [
      {
        Sid: 'CloudTrailAclCheck',
        Effect: 'Allow' as const,
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: bucket,
        Condition: { StringEquals: fromThisTrail },
      },
      {
        Sid: 'CloudTrailWrite',
        Effect: 'Allow' as const,
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${bucket}/AWSLogs/${stage.account}/*`,
        Condition: {
          StringEquals: { ...fromThisTrail, 's3:x-amz-acl': 'bucket-owner-full-control' },
        },
      },
      {
        Sid: 'TlsOnly',
        Effect: 'Deny' as const,
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket, `${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}

/** What the audit function is told about data events: the trail's name, or `none`. */
export function dataEventsSetting(stage: Stage): string {
  return dataEventsTrailOf(stage)?.trailName ?? 'none';
}
