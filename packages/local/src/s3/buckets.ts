/**
 * The local S3's buckets, from the config: name, owning account, the bucket policy compiled by
 * @tessera/policy up front (an invalid one is a config error, as AWS refuses it at
 * PutBucketPolicy), and the CORS rules.
 */

import { pointerOf } from '@tessera/broker';
import { type Policy, PolicyError, parsePolicy } from '@tessera/policy';
import type { LocalConfigProblem } from '../config-schema.js';
import { LocalConfigError } from '../errors.js';
import type { LocalBucket, LocalConfig, LocalCorsRule } from '../types.js';

export interface Bucket {
  readonly name: string;
  readonly account: string;
  /** `arn:aws:s3:::<name>` */
  readonly arn: string;
  readonly policy: Policy | undefined;
  readonly cors: readonly LocalCorsRule[];
}

export function bucketArn(name: string): string {
  return `arn:aws:s3:::${name}`;
}

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

export function compileBuckets(config: Pick<LocalConfig, 'buckets'>): ReadonlyMap<string, Bucket> {
  const problems: LocalConfigProblem[] = [];
  const out = new Map<string, Bucket>();
  for (const [i, b] of config.buckets.entries()) {
    const policy = compilePolicy(b, pointerOf(['buckets', i, 'policy']), problems);
    out.set(b.name, {
      name: b.name,
      account: b.account,
      arn: bucketArn(b.name),
      policy,
      cors: b.cors,
    });
  }
  if (problems.length > 0) throw new LocalConfigError('config', problems);
  return out;
}

function compilePolicy(
  b: LocalBucket,
  where: string,
  problems: LocalConfigProblem[],
): Policy | undefined {
  if (b.policy === undefined) return undefined;
  try {
    const policy = parsePolicy(b.policy);
    // A bucket policy is resource-based: every statement names a Principal.
    const issue = policy.slotIssues.resource;
    if (issue)
      problems.push({ code: issue.code, pointer: `${where}${issue.path}`, message: issue.message });
    return policy;
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    problems.push({ code: err.code, pointer: `${where}${err.path}`, message: err.message });
    return undefined;
  }
}
