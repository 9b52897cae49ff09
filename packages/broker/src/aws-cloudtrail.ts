/**
 * @tessera/broker/aws-cloudtrail: the CloudTrail adapter of the `TrailSource` port, on its own
 * subpath so that only the audit function's bundle carries the CloudTrail client.
 */
export {
  assumedRoleCredentials,
  CloudTrailSource,
  type CloudTrailSourceOptions,
  LOOKUP_EVENTS_COVERAGE,
} from './adapters/cloudtrail.js';
