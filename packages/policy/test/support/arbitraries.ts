/**
 * Generators of realistic policies and requests, shared by the property tests, the differential
 * test against @cloud-copilot/iam-simulate and the benchmark.
 *
 * Realistic means: real service prefixes and actions, ARNs of the right shape for each action,
 * condition operators paired with keys of their type and with values drawn from the same small
 * domains as the request context (so conditions match often enough to be interesting), and
 * context with single- and multi-valued keys. Everything here is plain JSON; nothing is compiled.
 */
import fc from 'fast-check';
import type { ContextValue, RequestPrincipal } from '../../src/index.js';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';

// ---------------------------------------------------------------------------------------------
// Actions and resources

export interface ActionSpec {
  readonly action: string;
  /** Resources a request for this action names. */
  readonly resources: readonly string[];
}

const BUCKETS = ['media-bucket', 'logs-bucket'] as const;
const KEYS = ['uploads/u-1/a.jpg', 'uploads/u-2/b.png', 'public/readme.txt', 'private/x'] as const;
const objects = BUCKETS.flatMap((b) => KEYS.map((k) => `arn:aws:s3:::${b}/${k}`));
const buckets = BUCKETS.map((b) => `arn:aws:s3:::${b}`);
const instances = ['us-east-1', 'eu-west-1'].flatMap((r) =>
  ['i-0abc', 'i-0def'].map((i) => `arn:aws:ec2:${r}:${ACCOUNT}:instance/${i}`),
);
const tables = ['Books', 'Orders'].map((t) => `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${t}`);
const queues = ['jobs', 'dead-letters'].map((q) => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${q}`);
const users = ['alice', 'bob', 'ops/carol'].map((u) => `arn:aws:iam::${ACCOUNT}:user/${u}`);
const functions = ['orders-api', 'billing-api'].map(
  (f) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${f}`,
);
/** Roles to assume: the resource policy is then a trust policy (evaluate infers the kind). */
const roles = [`arn:aws:iam::${ACCOUNT}:role/target`, `arn:aws:iam::${OTHER_ACCOUNT}:role/audit`];
/** KMS keys: the resource policy is then a key policy (evaluate infers the kind). */
const keys = [
  `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`,
];

export const ACTIONS: readonly ActionSpec[] = [
  { action: 's3:GetObject', resources: objects },
  { action: 's3:PutObject', resources: objects },
  { action: 's3:DeleteObject', resources: objects },
  { action: 's3:ListBucket', resources: buckets },
  { action: 'ec2:StartInstances', resources: instances },
  { action: 'ec2:StopInstances', resources: instances },
  { action: 'dynamodb:GetItem', resources: tables },
  { action: 'dynamodb:PutItem', resources: tables },
  { action: 'sqs:SendMessage', resources: queues },
  { action: 'sqs:ReceiveMessage', resources: queues },
  { action: 'iam:GetUser', resources: users },
  { action: 'iam:CreateAccessKey', resources: users },
  { action: 'lambda:InvokeFunction', resources: functions },
  { action: 'sts:AssumeRole', resources: roles },
  { action: 'kms:Decrypt', resources: keys },
];

/** The account that owns a resource ARN (S3 ARNs carry none: the bucket owner is ACCOUNT). */
export function resourceAccount(arn: string): string {
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? ACCOUNT : account;
}

/** Patterns an Action element may hold for `spec` and its neighbours: exact, prefix, `?`, case. */
function actionPatterns(spec: ActionSpec): string[] {
  const [service, name] = spec.action.split(':') as [string, string];
  return [
    spec.action,
    `${service}:*`,
    `${service}:${name.slice(0, 3)}*`,
    `${service}:*${name.slice(-4)}`,
    `${service}:${name.slice(0, 1)}?${name.slice(2)}`,
    spec.action.toLowerCase(),
    '*',
  ];
}

/** Patterns a Resource element may hold for one ARN: exact, trailing `*`, segment wildcards. */
function resourcePatterns(arn: string): string[] {
  const parts = arn.split(':');
  const last = parts.slice(5).join(':');
  const cut = Math.max(last.lastIndexOf('/'), 0);
  const head = parts.slice(0, 5).join(':');
  const out = [
    arn,
    '*',
    `${head}:${last.slice(0, cut + 1)}*`,
    `${head}:*`,
    `${head}:${last.slice(0, -1)}?`,
  ];
  if (parts[3] !== '') out.push([...parts.slice(0, 3), '*', ...parts.slice(4)].join(':'));
  if (parts[4] !== '') out.push([...parts.slice(0, 4), '*', ...parts.slice(5)].join(':'));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Condition keys, their types and value domains

type KeyType = 'string' | 'numeric' | 'date' | 'bool' | 'ip' | 'arn' | 'multi';

interface KeySpec {
  readonly key: string;
  readonly type: KeyType;
  /** Values a request carries (for `multi`, members of the set). */
  readonly values: readonly string[];
  /** Extra values only policies use (patterns, ranges, other spellings). */
  readonly policyValues: readonly string[];
}

export const KEY_SPECS: readonly KeySpec[] = [
  {
    key: 'aws:PrincipalTag/team',
    type: 'string',
    values: ['blue', 'red', 'Blue'],
    policyValues: ['bl*', '?ed', 'BLUE'],
  },
  {
    key: 'aws:RequestedRegion',
    type: 'string',
    values: ['eu-west-1', 'us-east-1', 'ap-south-1'],
    policyValues: ['eu-*', 'us-?ast-1'],
  },
  {
    key: 'aws:username',
    type: 'string',
    values: ['alice', 'bob'],
    policyValues: ['a*', 'ALICE'],
  },
  {
    key: 's3:prefix',
    type: 'string',
    values: ['home/alice/', 'home/bob/x', ''],
    policyValues: ['home/*', 'home/${aws:username}/*', '*'],
  },
  {
    key: 's3:max-keys',
    type: 'numeric',
    values: ['10', '100', '1000'],
    policyValues: ['50', '10.0'],
  },
  {
    key: 'aws:MultiFactorAuthAge',
    type: 'numeric',
    values: ['30', '3600', '86400'],
    policyValues: ['3600', '600'],
  },
  {
    key: 'aws:CurrentTime',
    type: 'date',
    values: ['2024-01-15T10:00:00Z', '2025-06-30T23:59:59Z', '2026-11-24T20:00:00Z'],
    policyValues: ['2025-01-01T00:00:00Z', '2024-01-15T10:00:00Z', '2026-01-01'],
  },
  {
    key: 'aws:EpochTime',
    type: 'date',
    values: ['1705312800', '1751327999', '2026-11-24T20:00:00Z'],
    policyValues: ['1735689600', '2025-01-01T00:00:00Z'],
  },
  {
    key: 'token:client_id',
    type: 'string',
    values: ['app-client-id', 'cli-client-id'],
    policyValues: ['*-client-id'],
  },
  {
    key: 'token:cognito:groups',
    type: 'multi',
    values: ['uploaders', 'admins', 'readers'],
    policyValues: ['upload*'],
  },
  { key: 'aws:SecureTransport', type: 'bool', values: ['true', 'false'], policyValues: [] },
  { key: 'aws:MultiFactorAuthPresent', type: 'bool', values: ['true', 'false'], policyValues: [] },
  {
    key: 'aws:SourceIp',
    type: 'ip',
    values: ['203.0.113.10', '198.51.100.7', '2001:db8::1'],
    policyValues: [
      '203.0.113.0/24',
      '198.51.100.0/30',
      '2001:db8::/32',
      '10.0.0.0/8',
      '198.51.100.7',
    ],
  },
  {
    key: 'aws:SourceArn',
    type: 'arn',
    values: [
      `arn:aws:sns:us-east-1:${ACCOUNT}:TopicA`,
      `arn:aws:sns:eu-west-1:${OTHER_ACCOUNT}:TopicB`,
    ],
    policyValues: [`arn:aws:sns:*:${ACCOUNT}:*`, 'arn:aws:sns:us-east-1:*:Topic?'],
  },
  {
    // Set to the request principal's own ARN (the role ARN for a session) by requestArb.
    key: 'aws:PrincipalArn',
    type: 'arn',
    values: [`arn:aws:iam::${ACCOUNT}:user/alice`],
    policyValues: [
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      `arn:aws:iam::${ACCOUNT}:role/app`,
      `arn:aws:iam::${ACCOUNT}:user/*`,
      `arn:aws:iam::*:role/*`,
    ],
  },
  {
    key: 'aws:TagKeys',
    type: 'multi',
    values: ['env', 'team', 'cost-center', 'owner'],
    policyValues: ['cost-*', 'env'],
  },
  {
    key: 'aws:PrincipalOrgPaths',
    type: 'multi',
    values: ['o-a1b2c3/r-ab12/ou-1/', 'o-a1b2c3/r-ab12/ou-2/'],
    policyValues: ['o-a1b2c3/r-ab12/ou-1/*', 'o-a1b2c3/*'],
  },
];

const OPERATORS: Readonly<Record<KeyType, readonly string[]>> = {
  string: [
    'StringEquals',
    'StringNotEquals',
    'StringEqualsIgnoreCase',
    'StringNotEqualsIgnoreCase',
    'StringLike',
    'StringNotLike',
  ],
  numeric: [
    'NumericEquals',
    'NumericNotEquals',
    'NumericLessThan',
    'NumericLessThanEquals',
    'NumericGreaterThan',
    'NumericGreaterThanEquals',
  ],
  date: [
    'DateEquals',
    'DateNotEquals',
    'DateLessThan',
    'DateLessThanEquals',
    'DateGreaterThan',
    'DateGreaterThanEquals',
  ],
  bool: ['Bool'],
  ip: ['IpAddress', 'NotIpAddress'],
  arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
  multi: [
    'ForAnyValue:StringEquals',
    'ForAllValues:StringEquals',
    'ForAnyValue:StringLike',
    'ForAllValues:StringLike',
    'ForAnyValue:StringNotEquals',
    'ForAllValues:StringNotLike',
  ],
};

/** Operators whose values may hold `*` and `?` (the others compare literally). */
const PATTERN_OPERATORS = /Like|^Arn/;

export interface GenOptions {
  /** Allow `...IfExists` operators. */
  readonly ifExists?: boolean;
  /** Allow the `Null` operator. */
  readonly nullOperator?: boolean;
  /** Allow `${...}` policy variables in resources and condition values. */
  readonly variables?: boolean;
  /** Allow NotAction / NotResource. */
  readonly negatedElements?: boolean;
}

const DEFAULTS: Required<GenOptions> = {
  ifExists: true,
  nullOperator: true,
  variables: true,
  negatedElements: true,
};

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type PolicyDoc = { Version?: string; Id?: string; Statement: Statement[] };
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: Json;
  Condition?: Record<string, Record<string, string | string[]>>;
}

function oneOrMany<T>(arb: fc.Arbitrary<T>, max = 3): fc.Arbitrary<T | T[]> {
  return fc.oneof(
    { weight: 3, arbitrary: arb },
    { weight: 1, arbitrary: fc.array(arb, { minLength: 1, maxLength: max }) },
  );
}

export function conditionArb(
  opts: GenOptions = {},
): fc.Arbitrary<Record<string, Record<string, string | string[]>>> {
  const o = { ...DEFAULTS, ...opts };
  const entry = fc.constantFrom(...KEY_SPECS).chain((spec) => {
    const ops = [...OPERATORS[spec.type]];
    const op = fc.constantFrom(...ops).chain((base) => {
      const variants = [base];
      if (o.ifExists && spec.type !== 'multi') variants.push(`${base}IfExists`);
      if (o.nullOperator) variants.push('Null');
      return fc.constantFrom(...variants);
    });
    return op.chain((operator) => {
      const pool =
        operator === 'Null'
          ? ['true', 'false']
          : spec.type === 'bool'
            ? ['true', 'false']
            : PATTERN_OPERATORS.test(operator)
              ? [...spec.values, ...spec.policyValues]
              : [...spec.values, ...spec.policyValues.filter((v) => !/[*?]/.test(v))];
      const usable = o.variables ? pool : pool.filter((v) => !v.includes('${'));
      return oneOrMany(fc.constantFrom(...usable), 2).map((values) => ({
        operator,
        key: spec.key,
        values,
      }));
    });
  });
  return fc.array(entry, { minLength: 1, maxLength: 3 }).map((entries) => {
    const block: Record<string, Record<string, string | string[]>> = {};
    for (const e of entries) {
      const byKey = block[e.operator] ?? {};
      byKey[e.key] = e.values;
      block[e.operator] = byKey;
    }
    return block;
  });
}

/** A statement; with `focus`, three in four name that action's service (so they often apply). */
export function statementArb(
  opts: GenOptions = {},
  principal?: fc.Arbitrary<Json>,
  focus?: ActionSpec,
): fc.Arbitrary<Statement> {
  const o = { ...DEFAULTS, ...opts };
  return fc
    .record({
      effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
      spec:
        focus === undefined
          ? fc.constantFrom(...ACTIONS)
          : fc.oneof(
              { weight: 3, arbitrary: fc.constant(focus) },
              { weight: 1, arbitrary: fc.constantFrom(...ACTIONS) },
            ),
      negA: o.negatedElements ? fc.nat(9) : fc.constant(9),
      negR: o.negatedElements ? fc.nat(9) : fc.constant(9),
      withCondition: fc.nat(2),
      sid: fc.option(fc.constantFrom('Read', 'Write', 'Admin', 'S1', 'S2'), { nil: undefined }),
      variable: o.variables ? fc.nat(7) : fc.constant(7),
    })
    .chain((r) => {
      const actions = oneOrMany(fc.constantFrom(...actionPatterns(r.spec)), 2);
      const arns = r.spec.resources.flatMap(resourcePatterns);
      const withVars = r.variable === 0 ? [...arns, ...r.spec.resources.map(withVariable)] : arns;
      const resources = oneOrMany(fc.constantFrom(...withVars), 2);
      return fc
        .record({
          actions,
          resources,
          condition: r.withCondition === 0 ? conditionArb(o) : fc.constant(undefined),
          principal: principal ?? fc.constant(undefined),
        })
        .map(({ actions, resources, condition, principal }) => {
          const s: Statement = { Effect: r.effect };
          if (r.sid !== undefined) s.Sid = r.sid;
          if (principal !== undefined) s.Principal = principal;
          if (r.negA === 0) s.NotAction = actions;
          else s.Action = actions;
          if (r.negR === 0) s.NotResource = resources;
          else s.Resource = resources;
          if (condition !== undefined) s.Condition = condition;
          return s;
        });
    });
}

/** Replaces the last path element of an ARN with a policy variable. */
function withVariable(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return slash < 0 ? arn : `${arn.slice(0, slash + 1)}\${aws:username}`;
}

/** Unique Sids per policy (AWS requires it): duplicates are dropped. */
function dedupeSids(statements: Statement[]): Statement[] {
  const seen = new Set<string>();
  return statements.map((s) => {
    if (s.Sid === undefined) return s;
    if (seen.has(s.Sid)) {
      const { Sid: _drop, ...rest } = s;
      return rest;
    }
    seen.add(s.Sid);
    return s;
  });
}

export function policyArb(
  opts: GenOptions = {},
  principal?: fc.Arbitrary<Json>,
  maxStatements = 4,
  focus?: ActionSpec,
): fc.Arbitrary<PolicyDoc> {
  return fc
    .array(statementArb(opts, principal, focus), { minLength: 1, maxLength: maxStatements })
    .map((statements) => ({ Version: '2012-10-17', Statement: dedupeSids(statements) }));
}

// ---------------------------------------------------------------------------------------------
// Principals

export const PRINCIPALS: readonly RequestPrincipal[] = [
  { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:user/alice` },
  { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:user/bob` },
  { type: 'AWS', id: `arn:aws:sts::${ACCOUNT}:assumed-role/app/alice` },
  { type: 'AWS', id: `arn:aws:iam::${OTHER_ACCOUNT}:user/dave` },
  { type: 'AWS', id: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/partner/erin` },
];

/** Principal elements for resource policies, naming the principals above in every AWS way. */
export function resourcePrincipalArb(): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.constant('*'),
    fc.constant({ AWS: '*' }),
    fc.constantFrom(ACCOUNT, OTHER_ACCOUNT).map((a) => ({ AWS: a })),
    fc.constantFrom(ACCOUNT, OTHER_ACCOUNT).map((a) => ({ AWS: `arn:aws:iam::${a}:root` })),
    fc
      .constantFrom(
        `arn:aws:iam::${ACCOUNT}:user/alice`,
        `arn:aws:iam::${ACCOUNT}:role/app`,
        `arn:aws:sts::${ACCOUNT}:assumed-role/app/alice`,
        `arn:aws:iam::${OTHER_ACCOUNT}:user/dave`,
        `arn:aws:iam::${OTHER_ACCOUNT}:role/partner`,
      )
      .map((arn) => ({ AWS: arn })),
  );
}

/** `aws:PrincipalArn` of a principal: its ARN, or the role ARN for a role session. */
export function principalArn(p: RequestPrincipal): string {
  const session = /^arn:(\w[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(p.id);
  return session === null ? p.id : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
}

/** The account of a principal ARN. */
export function principalAccount(p: RequestPrincipal): string {
  return p.id.split(':')[4] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Requests and scenarios

export interface Request {
  action: string;
  resource: string;
  principal: RequestPrincipal;
  context: Record<string, ContextValue>;
}

export function contextArb(): fc.Arbitrary<Record<string, ContextValue>> {
  const entries = KEY_SPECS.map((spec) =>
    fc.option(
      spec.type === 'multi'
        ? fc
            .uniqueArray(fc.constantFrom(...spec.values), { maxLength: 3 })
            .map((v): ContextValue => v)
        : fc.constantFrom(...spec.values).map((v): ContextValue => v),
      { nil: undefined, freq: 2 },
    ),
  );
  return fc.tuple(...entries).map((values) => {
    const ctx: Record<string, ContextValue> = {};
    values.forEach((v, i) => {
      if (v !== undefined) ctx[KEY_SPECS[i]!.key] = v;
    });
    return ctx;
  });
}

export function requestArb(only?: ActionSpec): fc.Arbitrary<Request> {
  return fc
    .record({
      spec: only === undefined ? fc.constantFrom(...ACTIONS) : fc.constant(only),
      principal: fc.constantFrom(...PRINCIPALS),
      context: contextArb(),
      caseFlip: fc.boolean(),
    })
    .chain(({ spec, principal, context, caseFlip }) =>
      fc.constantFrom(...spec.resources).map((resource) => ({
        action: caseFlip ? spec.action.toLowerCase() : spec.action,
        resource,
        principal,
        context:
          'aws:PrincipalArn' in context
            ? { ...context, 'aws:PrincipalArn': principalArn(principal) }
            : context,
      })),
    );
}

export interface Scenario {
  request: Request;
  identityPolicies: PolicyDoc[];
  permissionsBoundary?: PolicyDoc;
  sessionPolicies?: PolicyDoc[];
  resourcePolicy?: PolicyDoc;
  crossAccount: boolean;
}

export interface ScenarioOptions extends GenOptions {
  readonly boundary?: boolean;
  readonly session?: boolean;
  readonly resource?: boolean;
}

/** A request with the policies that apply to it; `crossAccount` follows the ARNs. */
export function scenarioArb(opts: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  return fc.constantFrom(...ACTIONS).chain((spec) => scenarioFor(spec, opts));
}

/** Policies are biased towards the request's service, so that statements often apply. */
function scenarioFor(spec: ActionSpec, opts: ScenarioOptions): fc.Arbitrary<Scenario> {
  const policy = (principal?: fc.Arbitrary<Json>) => policyArb(opts, principal, 4, spec);
  return fc
    .record({
      request: requestArb(spec),
      identityPolicies: fc.array(policy(), { minLength: 0, maxLength: 2 }),
      permissionsBoundary:
        opts.boundary === false
          ? fc.constant(undefined)
          : fc.option(policy(), { nil: undefined, freq: 3 }),
      sessionPolicies:
        opts.session === false
          ? fc.constant(undefined)
          : fc.option(fc.array(policy(), { minLength: 1, maxLength: 2 }), {
              nil: undefined,
              freq: 3,
            }),
      resourcePolicy:
        opts.resource === false
          ? fc.constant(undefined)
          : fc.option(policy(resourcePrincipalArb()), { nil: undefined, freq: 2 }),
    })
    .map((s) => {
      const out: Scenario = {
        request: s.request,
        identityPolicies: s.identityPolicies,
        crossAccount: principalAccount(s.request.principal) !== resourceAccount(s.request.resource),
      };
      if (s.permissionsBoundary !== undefined) out.permissionsBoundary = s.permissionsBoundary;
      if (s.sessionPolicies !== undefined) out.sessionPolicies = s.sessionPolicies;
      if (s.resourcePolicy !== undefined) out.resourcePolicy = s.resourcePolicy;
      return out;
    });
}

// ---------------------------------------------------------------------------------------------
// Adversarial wildcard inputs

/** `a*a*…*b` with `stars` stars, and a value of `n` a's that it cannot match. */
export function adversarialPattern(stars: number, n: number): { pattern: string; value: string } {
  return { pattern: `${'a*'.repeat(stars)}b`, value: 'a'.repeat(n) };
}

// ---------------------------------------------------------------------------------------------
// Cognito-binding trust policies (bench and properties)

export const POOL = 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC';

/** The DESIGN.md binding shape: client id StringEquals + ForAnyValue groups. */
export function bindingTrustPolicy(clientId: string, groups: readonly string[]): PolicyDoc {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Federated: POOL },
        Condition: {
          StringEquals: { 'token:client_id': clientId },
          'ForAnyValue:StringEquals': { 'token:cognito:groups': [...groups] },
        },
      },
    ],
  };
}
