/**
 * @tessera/broker/aws-cloudtrail: the CloudTrail adapter of the `TrailSource` port, on its own
 * subpath so that only the audit function's bundle carries the CloudTrail client.
 */
export { CloudTrailSource, type CloudTrailSourceOptions } from './adapters/cloudtrail.js';
