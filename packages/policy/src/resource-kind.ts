/**
 * What kind of resource-based policy `evaluate` is given, which changes the combining rule in the
 * same account (see `decide` in evaluate.ts):
 * - `trust`: a role trust policy. "IAM role trust policies and KMS key policies are exceptions …
 *   they must explicitly allow access for principals" (IAM User Guide, "How AWS enforcement code
 *   logic evaluates requests to allow or deny access"): an identity policy allowing
 *   `sts:AssumeRole` is not enough on its own, the trust policy must name the principal (its ARN,
 *   its role, `*`, or its account — the account delegates to identity policies);
 * - `kms-key`: a KMS key policy, the same rule ("Without permission from the key policy, IAM
 *   policies that allow permissions have no effect", AWS KMS Developer Guide, "Key policies");
 * - `resource`: any other resource policy (bucket, queue, topic …): in the same account an Allow
 *   in either the identity side or the resource policy is enough.
 */
import type { ResourcePolicyKind } from './types.js';

const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\//;
const KMS_KEY_ARN = /^arn:[^:]+:kms:[^:]*:\d{12}:key\//;

/**
 * The kind when the caller does not say: `trust` for an STS action on an IAM role ARN, `kms-key`
 * for a KMS action on a KMS key ARN, `resource` otherwise. `action` is lowercased.
 */
export function inferResourcePolicyKind(action: string, resource: string): ResourcePolicyKind {
  if (action.startsWith('sts:') && ROLE_ARN.test(resource)) return 'trust';
  if (action.startsWith('kms:') && KMS_KEY_ARN.test(resource)) return 'kms-key';
  return 'resource';
}

/** The kinds a caller may pass; anything else is a programming error (thrown, never guessed). */
export function checkResourcePolicyKind(kind: unknown): ResourcePolicyKind {
  if (kind === 'trust' || kind === 'kms-key' || kind === 'resource') return kind;
  throw new TypeError(
    `resourcePolicyKind must be 'trust', 'kms-key' or 'resource', not ${JSON.stringify(kind)}`,
  );
}
