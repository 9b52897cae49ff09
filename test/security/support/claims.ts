/**
 * What the claim-injection property checks, written from AWS's documentation and the seeded
 * bindings' intent, independently of the broker's own rules (limits.ts, render.ts): STS's input
 * constraints, the hostile claim values, and what each seeded binding means a session to reach.
 */

import type { AssumeRoleParams } from '@tessera/broker';
import type { LocalConfig } from '@tessera/local';
import { type ContextValue, evaluate, type Policy, parsePolicy } from '@tessera/policy';
import fc from 'fast-check';

// --- STS's constraints (AssumeRole and Tag API references, IAM and STS character limits) -----

/** Tag: Key `[\p{L}\p{Z}\p{N}_.:/=+\-@]+` 1..128, Value `[\p{L}\p{Z}\p{N}_.:/=+\-@]*` 0..256. */
const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** SourceIdentity and RoleSessionName: `[\w+=,.@-]*`, 2..64 (Java's \w: ASCII word characters). */
const NAME_PATTERN = /^[A-Za-z0-9_+=,.@-]*$/;
/** AssumeRole `Policy`: `[\u0009\u000A\u000D\u0020-\u00FF]+`, 1..2048 (packed size aside). */
const POLICY_PATTERN = /^[\t\n\r\u0020-\u00FF]+$/;

/** Characters as STS counts them (code points, not UTF-16 units). */
const chars = (s: string) => [...s].length;

/** Every way `params` breaks STS's documented input constraints (empty: STS would accept it). */
export function stsViolations(params: AssumeRoleParams): string[] {
  const out: string[] = [];
  if (params.Tags.length > 50) out.push('more than 50 tags');
  for (const { Key, Value } of params.Tags) {
    if (chars(Key) < 1 || chars(Key) > 128 || !TAG_PATTERN.test(Key)) out.push(`tag key ${Key}`);
    if (/^aws:/i.test(Key)) out.push(`tag key ${Key} uses the aws: prefix`);
    if (chars(Value) > 256 || !TAG_PATTERN.test(Value)) out.push(`tag ${Key} value`);
  }
  const si = params.SourceIdentity;
  if (chars(si) < 2 || chars(si) > 64 || !NAME_PATTERN.test(si) || /^aws:/i.test(si))
    out.push('SourceIdentity');
  const name = params.RoleSessionName;
  if (chars(name) < 2 || chars(name) > 64 || !NAME_PATTERN.test(name)) out.push('RoleSessionName');
  if (params.Policy !== undefined) {
    if (params.Policy.length > 2048 || !POLICY_PATTERN.test(params.Policy)) out.push('Policy');
  }
  if (params.DurationSeconds < 900 || params.DurationSeconds > 43_200) out.push('DurationSeconds');
  return out;
}

// --- hostile claim values ----------------------------------------------------------------------

/** Pieces known to widen a pattern, break out of a string or a path, or upset STS. */
export const HOSTILE_PIECES = [
  '*',
  '?',
  '${aws:username}',
  '${token:sub}',
  '${aws:PrincipalTag/sub}',
  '${*}',
  '$',
  '{',
  '}',
  '/',
  '..',
  '../',
  '/..',
  './',
  '"',
  "'",
  '\\',
  '\\"',
  '","Resource":"*',
  ' ',
  '\t',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u200b',
  '\u200d',
  '\u202e',
  '\u2028',
  '\ufeff',
  '\ud800',
  '\udfff',
  'é',
  'ß',
  'İ',
  '\u0301',
  'Ａ',
  '／',
  '＊',
  '∗',
  '💥',
  '𝒜',
  'aws:',
  'AWS:x',
  '%2F',
  '%2a',
  '&',
  '=',
  ',',
  ':',
  '@',
  '+',
  '-',
  '_',
  '.',
  '#',
  '|',
  '[',
  ']',
  '<script>',
  'victim-0000',
  'uploads',
];

const BENIGN = fc.stringMatching(/^[A-Za-z0-9_.@=+-]{1,24}$/);
const HOSTILE_CHAR = fc.constantFrom(...HOSTILE_PIECES.join('').split(''), 'a', 'Z', '0');

/** A string claim an attacker could choose (a user-writable attribute, or a forged one). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: BENIGN },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_PIECES) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.option(BENIGN), fc.constantFrom(...HOSTILE_PIECES), fc.option(BENIGN))
      .map(([a, h, b]) => `${a ?? ''}${h}${b ?? ''}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: HOSTILE_CHAR, minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('a', 'é', '/', '*', 'x-'), fc.integer({ min: 60, max: 3000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Any claim value: mostly strings, also arrays, numbers, booleans, null and nested objects. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, 0, -1, 1e21) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom('sub', '*', '/', '$', 'x'), hostileString, {
      maxKeys: 3,
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** The claims a caller controls or forges, over a valid ID token's frame. */
export interface ClaimChoice {
  readonly role: string;
  readonly sub: unknown;
  readonly username: unknown;
  readonly groups: unknown;
  readonly team: unknown;
  readonly email: unknown;
  readonly aud: 'app' | 'cli' | unknown;
  readonly extra: Record<string, unknown>;
}

/** A subject that is a string more often: samples that reach the session's scope. */
export const mostlyStringSub: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: BENIGN },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileValue },
);

export const claimChoice = (
  roles: readonly string[],
  sub: fc.Arbitrary<unknown> = hostileValue,
): fc.Arbitrary<ClaimChoice> =>
  fc.record({
    role: fc.constantFrom(...roles),
    sub,
    username: mostlyStringSub,
    groups: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom(['engineering'], ['auditors'], ['engineering', 'auditors']),
      },
      {
        weight: 2,
        arbitrary: fc.array(hostileString, { maxLength: 3 }).map((g) => [...g, 'engineering']),
      },
      { weight: 1, arbitrary: hostileValue },
    ),
    team: hostileValue,
    email: hostileValue,
    aud: fc.oneof(
      { weight: 8, arbitrary: fc.constant('app') },
      { weight: 1, arbitrary: fc.constant('cli') },
      { weight: 1, arbitrary: hostileValue },
    ),
    extra: fc.dictionary(
      fc.oneof(
        hostileString,
        fc.constantFrom('__proto__', 'constructor', 'token:sub', 'custom:team'),
      ),
      hostileValue,
      { maxKeys: 3 },
    ),
  });

/** The token payload for a choice (the frame: issuer, token use, times; the rest chosen). */
export function payloadOf(
  choice: ClaimChoice,
  frame: { iss: string; clients: Readonly<Record<string, string>>; now: number },
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(choice.extra)) {
    Object.defineProperty(payload, k, {
      value: v,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const aud = choice.aud === 'app' || choice.aud === 'cli' ? frame.clients[choice.aud] : choice.aud;
  Object.assign(payload, {
    iss: frame.iss,
    token_use: 'id',
    aud,
    sub: choice.sub,
    'cognito:username': choice.username,
    'cognito:groups': choice.groups,
    'custom:team': choice.team,
    email: choice.email,
    iat: frame.now - 5,
    exp: frame.now + 900,
  });
  return payload;
}

// --- what each seeded binding intends --------------------------------------------------------

export const BUCKET = 'tessera-local-media';

/** One question asked of a vended session: may it do `action` on `resource`? */
export interface Probe {
  readonly action: string;
  readonly resource: string;
}

/** The probes for a session vended to `sub`, with keys from the generated values. */
export function probesFor(sub: string, others: readonly string[]): Probe[] {
  const obj = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
  const keys = [
    `uploads/${sub}/photo.png`,
    `uploads/${sub}/a/b/c`,
    `uploads/${sub}`,
    `uploads/${sub}x/photo.png`,
    `uploads/${sub.slice(0, -1)}/photo.png`,
    `uploads/${sub}/../victim-0000/photo.png`,
    'uploads/victim-0000/photo.png',
    'uploads/photo.png',
    'photo.png',
    ...others.flatMap((o) => [`uploads/${o}/photo.png`, o]),
  ];
  const probes: Probe[] = [];
  for (const key of keys) {
    for (const action of ['s3:PutObject', 's3:GetObject', 's3:DeleteObject']) {
      probes.push({ action, resource: obj(key) });
    }
  }
  probes.push(
    { action: 's3:PutObject', resource: `arn:aws:s3:::another-bucket/uploads/${sub}/photo.png` },
    { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` },
    { action: 'iam:CreateRole', resource: 'arn:aws:iam::111111111111:role/x' },
    { action: 'sts:AssumeRole', resource: 'arn:aws:iam::111111111111:role/app-upload' },
    { action: 'dynamodb:PutItem', resource: '*' },
    { action: 's3:PutObject', resource: '*' },
  );
  return probes;
}

/** The role's permission policies as the local IAM holds them (inline and managed). */
export function rolePolicies(config: LocalConfig, roleArn: string): Policy[] {
  const role = config.roles.find(
    (r) => `arn:aws:iam::${r.account}:role${r.path ?? '/'}${r.name}` === roleArn,
  );
  if (!role) throw new Error(`no local role ${roleArn}`);
  return [...Object.values(role.policies ?? {}), ...Object.values(role.managedPolicies ?? {})].map(
    (doc) => parsePolicy(doc as object),
  );
}

/** What a session may do as IAM decides it: the role's policies ∩ the session policy, with its tags. */
export function sessionAllows(
  identity: readonly Policy[],
  params: AssumeRoleParams,
  probe: Probe,
): boolean {
  const context: Record<string, ContextValue> = {
    'aws:PrincipalArn': params.RoleArn,
    'aws:PrincipalType': 'AssumedRole',
    'aws:SourceIdentity': params.SourceIdentity,
  };
  for (const tag of params.Tags) context[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
  const result = evaluate({
    request: { action: probe.action, resource: probe.resource, context },
    identityPolicies: identity,
    sessionPolicies: params.Policy === undefined ? [] : [params.Policy],
  });
  return result.decision === 'Allow';
}

/**
 * What the binding means the session to reach, for the subject it was vended to. app-upload:
 * PutObject under `uploads/<the caller's sub>/` and nothing else; the other seeded bindings: what
 * the role's own policies allow a reference session (no claim changes their scope).
 */
export function intended(
  bindingId: string,
  sub: string,
  identity: readonly Policy[],
  params: AssumeRoleParams,
  probe: Probe,
): boolean {
  if (bindingId === 'app-upload') {
    return (
      probe.action === 's3:PutObject' &&
      probe.resource.startsWith(`arn:aws:s3:::${BUCKET}/uploads/${sub}/`)
    );
  }
  const reference: AssumeRoleParams = {
    ...params,
    Policy: undefined,
    Tags: [],
    SourceIdentity: 'reference-user',
  };
  return sessionAllows(identity, reference, probe);
}
