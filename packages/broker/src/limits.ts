/**
 * STS AssumeRole limits, checked before STS is called so a request that would fail there is
 * denied here with a reason instead.
 */
export const STS_LIMITS = {
  /** Packed inline session policy, counted on the minified JSON. */
  maxPolicyChars: 2048,
  maxTags: 50,
  maxTagKeyChars: 128,
  maxTagValueChars: 256,
  minDurationSeconds: 900,
  maxDurationSeconds: 43_200,
  /** AWS's cap on a session assumed with role-session credentials (role chaining). */
  roleChainingMaxSeconds: 3600,
} as const;

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** AssumeRole's `Policy` pattern: tab, LF, CR and U+0020..U+00FF (the API reference). */
const SESSION_POLICY_CHARS = /^[\t\n\r\u0020-\u00FF]*$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export type LimitProblem = string | undefined;

export function checkTagKey(key: string): LimitProblem {
  if (key.length < 1 || key.length > STS_LIMITS.maxTagKeyChars)
    return 'tag key must be 1..128 characters';
  if (!TAG_CHARS.test(key)) return 'tag key has a character STS refuses';
  if (/^aws:/i.test(key)) return 'tag key must not start with aws:';
  return undefined;
}

export function checkTagValue(value: string): LimitProblem {
  if (value.length > STS_LIMITS.maxTagValueChars) return 'tag value longer than 256 characters';
  if (!TAG_CHARS.test(value)) return 'tag value has a character STS refuses';
  return undefined;
}

export function checkSourceIdentity(value: string): LimitProblem {
  if (!SESSION_NAME.test(value)) return 'SourceIdentity must be 2..64 characters of [\\w+=,.@-]';
  if (/^aws:/i.test(value)) return 'SourceIdentity must not start with aws:';
  return undefined;
}

export function checkSessionName(value: string): LimitProblem {
  return SESSION_NAME.test(value)
    ? undefined
    : 'RoleSessionName must be 2..64 characters of [\\w+=,.@-]';
}

/** The serialized session policy as STS reads it: only the characters its `Policy` pattern takes. */
export function checkSessionPolicyText(text: string): LimitProblem {
  return SESSION_POLICY_CHARS.test(text)
    ? undefined
    : 'session policy has a character outside what STS accepts (tab, LF, CR, U+0020..U+00FF)';
}
