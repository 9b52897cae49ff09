/**
 * Deploys the optional S3 data-events trail from the pure documents of infra/trail.ts: a private
 * log bucket (public access blocked, TLS only, kept in production), its policy, and the trail
 * selecting the example upload bucket's object calls.
 */
import type { Stage } from './config.js';
import { dataOptions } from './tables.js';
import { dataEventSelectors, dataEventsTrailOf, logBucketPolicy } from './trail.js';

export function createDataEventsTrail(stage: Stage): aws.cloudtrail.Trail | null {
  const plan = dataEventsTrailOf(stage);
  if (plan === null) return null;
  const bucket = new aws.s3.BucketV2(
    'DataEventsLog',
    { bucket: plan.logBucket, forceDestroy: !stage.production },
    dataOptions(stage),
  );
  new aws.s3.BucketPublicAccessBlock('DataEventsLogPublicAccess', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  const policy = new aws.s3.BucketPolicy('DataEventsLogPolicy', {
    bucket: bucket.id,
    policy: JSON.stringify(logBucketPolicy(stage, plan)),
  });
  return new aws.cloudtrail.Trail(
    'DataEvents',
    {
      name: plan.trailName,
      s3BucketName: bucket.id,
      includeGlobalServiceEvents: false,
      isMultiRegionTrail: false,
      enableLogFileValidation: true,
      advancedEventSelectors: dataEventSelectors(stage, plan),
    },
    { dependsOn: [policy] },
  );
}
