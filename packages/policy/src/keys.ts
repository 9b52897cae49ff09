/**
 * What is known about condition keys: which carry one value and which carry a set.
 *
 * Sources: AWS IAM User Guide, "AWS global condition context keys" and "Single-valued vs
 * multivalued context keys"; STS keys from "IAM and AWS STS condition context keys". Tessera's own
 * keys: every verified token claim is `token:<claim>` (single-valued unless listed as a set), and
 * `tessera:RequestedDuration`. Names are compared case-insensitively, as AWS does.
 */

export type KeyCardinality = 'single' | 'multi' | 'unknown';

const SINGLE_VALUED_KEYS = [
  'aws:CalledViaFirst',
  'aws:CalledViaLast',
  'aws:CurrentTime',
  'aws:Ec2InstanceSourcePrivateIPv4',
  'aws:Ec2InstanceSourceVpc',
  'aws:EpochTime',
  'aws:FederatedProvider',
  'aws:MultiFactorAuthAge',
  'aws:MultiFactorAuthPresent',
  'aws:PrincipalAccount',
  'aws:PrincipalArn',
  'aws:PrincipalIsAWSService',
  'aws:PrincipalOrgID',
  'aws:PrincipalServiceName',
  'aws:PrincipalType',
  'aws:Referer',
  'aws:RequestedRegion',
  'aws:ResourceAccount',
  'aws:ResourceOrgID',
  'aws:SecureTransport',
  'aws:SourceAccount',
  'aws:SourceArn',
  'aws:SourceIdentity',
  'aws:SourceIp',
  'aws:SourceOrgID',
  'aws:SourceVpc',
  'aws:SourceVpcArn',
  'aws:SourceVpce',
  'aws:TokenIssueTime',
  'aws:UserAgent',
  'aws:userid',
  'aws:username',
  'aws:ViaAWSService',
  'aws:VpceAccount',
  'aws:VpceOrgID',
  'aws:VpcSourceIp',
  'sts:DurationSeconds',
  'sts:ExternalId',
  'sts:RoleSessionName',
  'sts:SourceIdentity',
  'tessera:RequestedDuration',
] as const;

const MULTI_VALUED_KEYS = [
  'aws:CalledVia',
  'aws:PrincipalOrgPaths',
  'aws:PrincipalServiceNamesList',
  'aws:ResourceOrgPaths',
  'aws:SourceOrgPaths',
  'aws:TagKeys',
  'aws:VpceOrgPaths',
  'cognito-identity.amazonaws.com:amr',
  'sts:TransitiveTagKeys',
  'token:amr',
  'token:cognito:groups',
  'token:cognito:roles',
] as const;

/** Keys with a `/tag-key` suffix; each names one tag, so one value. */
const SINGLE_VALUED_PREFIXES = [
  'aws:PrincipalTag/',
  'aws:RequestTag/',
  'aws:ResourceTag/',
] as const;

const cardinalityByLowerName = new Map<string, KeyCardinality>([
  ...SINGLE_VALUED_KEYS.map((key): [string, KeyCardinality] => [key.toLowerCase(), 'single']),
  ...MULTI_VALUED_KEYS.map((key): [string, KeyCardinality] => [key.toLowerCase(), 'multi']),
]);

/** Whether a key carries one value, a set of values, or is not known to Tessera. */
export function keyCardinality(key: string): KeyCardinality {
  const lower = key.toLowerCase();
  const known = cardinalityByLowerName.get(lower);
  if (known !== undefined) return known;
  if (SINGLE_VALUED_PREFIXES.some((prefix) => lower.startsWith(prefix.toLowerCase()))) {
    return 'single';
  }
  // Token claims are single-valued unless listed above as sets.
  if (lower.startsWith('token:')) return 'single';
  return 'unknown';
}

/** Claims a signed-in user can change themselves (Cognito writable custom attributes). */
export function isUserWritableClaimKey(key: string): boolean {
  return key.toLowerCase().startsWith('token:custom:');
}
