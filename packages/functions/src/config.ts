/**
 * Configuration from the environment (README "Configuration"), described once by `envSchema`
 * (zod/mini: this lands in every Lambda bundle). Every problem is collected and thrown together
 * as one ConfigError, each with the JSON Pointer of what is wrong (`/TESSERA_POOLS/0/clientIds`):
 * misconfiguration is loud, never a silent fallback. An empty variable counts as unset.
 */
import {
  type CustomAttribute,
  parseWith,
  type RateLimit,
  type RateLimits,
  ROLE_ARN,
  type TargetRoles,
} from '@tessera/broker';
import type { AwsCredentials } from '@tessera/broker/aws';
import * as z from 'zod/mini';
import { ConfigError, type ConfigProblem } from './errors.js';
import { type OidcConfig, oidcConfig, oidcEnvSchemas } from './oidc-config.js';

const POOL_ID = /^[a-z]{2}(-gov)?-[a-z]+-\d_[A-Za-z0-9]+$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http on a loopback address (the local stack's JWKS). */
function httpsOrLoopback(value: string): boolean {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  return url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

const poolSchema = z.strictObject({
  userPoolId: z.string().check(z.regex(POOL_ID, 'must be a user pool id like eu-west-1_AbC123')),
  clientIds: z
    .array(z.string().check(z.minLength(1)))
    .check(z.minLength(1, 'must be a non-empty array of app client ids')),
  /** Default `'access'`; `null` accepts ID and access tokens (explicit). */
  tokenUse: z.optional(z.nullable(z.enum(['id', 'access']))),
  jwksUri: z.optional(
    z
      .string()
      .check(z.refine(httpsOrLoopback, 'must be an https URL (or http on a loopback address)')),
  ),
  jwks: z.optional(z.unknown()),
});

/** A pool as TESSERA_POOLS lists it (derived from its schema). */
export type PoolConfig = z.output<typeof poolSchema>;

/** A JSON text, parsed (a problem named `InvalidJson` when it is not JSON). */
const jsonText = z.pipe(
  z.string(),
  z.transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({
        code: 'custom',
        input: text,
        message: 'is not valid JSON',
        params: { code: 'InvalidJson' },
      });
      return z.NEVER;
    }
  }),
);

/** An integer in a variable, at least `min`. */
const intText = (min: number) =>
  z.pipe(
    z.string().check(z.regex(/^\d+$/, `must be an integer >= ${min}`)),
    z.pipe(z.transform(Number), z.number().check(z.minimum(min, `must be an integer >= ${min}`))),
  );

/** A comma-separated list of exact origins (never `*`). */
const originList = z.pipe(
  z.string(),
  z.pipe(
    z.transform((text: string) =>
      text
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
    z.array(
      z.string().check(
        z.refine((o) => o !== '*', { error: 'must list origins, not *', abort: true }),
        z.refine((o) => URL.canParse(o), 'is not an origin'),
      ),
    ),
  ),
);

/** A JSON object of 12-digit account id -> name. */
const accountNames = z.pipe(
  jsonText,
  z.record(
    z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')),
    z.string().check(z.minLength(1), z.maxLength(64)),
  ),
);

/** A JSON array of the pool's custom attributes and whether users may write them. */
const customAttributes = z.pipe(
  jsonText,
  z.array(
    z.strictObject({
      name: z.string().check(z.regex(/^custom:[\w.-]{1,20}$/, 'must be custom:<name>')),
      userWritable: z.boolean(),
    }),
  ),
);

/**
 * The accounts whose CloudTrail a trail searches: account id -> `"self"` (the function's own
 * credentials) or the ARN of a role in that account allowed `cloudtrail:LookupEvents` (the
 * cross-account template's trail reader), assumed for the lookup.
 */
const trailAccounts = z.pipe(
  jsonText,
  z.record(
    z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')),
    z.union([
      z.literal('self'),
      z.string().check(z.regex(ROLE_ARN, 'must be "self" or a role ARN')),
    ]),
  ),
);

/**
 * Where S3 object (data) events are: `none` (no trail records them), `lookup` (the endpoint's
 * LookupEvents answers them too: the local CloudTrail), or the name or ARN of the trail that records
 * them (named in answers; its S3 log is not read by the trail routes).
 */
const dataEvents = z
  .string()
  .check(z.regex(/^(none|lookup|[\w:/.-]{3,256})$/, 'must be none, lookup or a trail name or ARN'));

const roleArn = z.string().check(z.regex(ROLE_ARN, 'must be an IAM role ARN'));

/**
 * The roles bindings may name (as infra's `targetRoles`): `{"arns": [...]}`, or
 * `{"path": "/tessera/", "accounts": [...]}` for every role under an IAM path.
 */
const targetRoleScope = z.pipe(
  jsonText,
  z.union([
    z.strictObject({ arns: z.array(roleArn).check(z.minLength(1, 'must name at least one role')) }),
    z.strictObject({
      path: z
        .string()
        .check(z.regex(/^\/([\w+=,.@-]+\/)*$/, 'must be an IAM path such as /tessera/')),
      accounts: z
        .array(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')))
        .check(z.minLength(1, 'must name at least one account')),
    }),
  ]),
);

const serviceUrl = z
  .string()
  .check(z.refine(httpsOrLoopback, 'must be an https URL (or http on a loopback address)'));

export const envSchema = z.object({
  AWS_REGION: z.string(),
  TESSERA_BINDINGS_TABLE: z.string(),
  TESSERA_AUDIT_TABLE: z.string(),
  /** The subjects table (each subject's last vend context: personal data, kept by its TTL). */
  TESSERA_SUBJECTS_TABLE: z.string(),
  /** A JSON array of {userPoolId, clientIds, tokenUse?, jwksUri?}. */
  TESSERA_POOLS: z.pipe(
    jsonText,
    z.array(poolSchema).check(z.minLength(1, 'must be a non-empty JSON array')),
  ),
  TESSERA_ADMIN_GROUP: z._default(z.string(), 'tessera-admins'),
  TESSERA_ACCOUNT_ID: z._default(
    z.nullable(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
    null,
  ),
  TESSERA_ROLE_CHAINING: z._default(z.enum(['true', 'false']), 'true'),
  TESSERA_AUDIT_TTL_DAYS: z._default(intText(1), 365),
  /** Days a subject's last-vend context is kept (the subjects table's TTL). */
  TESSERA_SUBJECTS_TTL_DAYS: z._default(intText(1), 90),
  TESSERA_BINDINGS_CACHE_SECONDS: z._default(intText(0), 30),
  /** Per DynamoDB attempt (connect, and the whole answer): a slower store is unavailable. */
  TESSERA_STORE_TIMEOUT_MS: z._default(intText(50), 1000),
  /** Per STS attempt (connect, and the whole answer): a slower STS is a failed attempt. */
  TESSERA_STS_TIMEOUT_MS: z._default(intText(50), 1500),
  TESSERA_CORS_ORIGINS: z._default(originList, []),
  TESSERA_RATE_LIMIT_PER_IP: z._default(intText(0), 600),
  TESSERA_RATE_LIMIT_PER_SUBJECT: z._default(intText(0), 120),
  ...oidcEnvSchemas(jsonText),
  /** Account id -> name, answered beside account ids by GET /v1/roles. */
  TESSERA_ACCOUNTS: z._default(accountNames, {}),
  TESSERA_CUSTOM_ATTRIBUTES: z._default(customAttributes, []),
  /** Trails: account id -> "self" or a trail-reader role ARN; default the function's own account. */
  TESSERA_TRAIL_ACCOUNTS: z.optional(trailAccounts),
  /** Trails: where S3 data events are (none, lookup, or the trail recording them). */
  TESSERA_TRAIL_DATA_EVENTS: z._default(dataEvents, 'none'),
  /** Binding writes: the roles a binding may name (the broker's IAM policy's targets). */
  TESSERA_TARGET_ROLES: z.optional(targetRoleScope),
  /** Binding writes: the broker's own execution role, never a binding's role. */
  TESSERA_BROKER_ROLE_ARN: z.optional(roleArn),
  /**
   * The kill switch in other accounts: the role (name) their cross-account template creates for
   * the admin function to write Tessera's revocation policy; unset: those accounts are named as
   * not updated.
   */
  TESSERA_REVOCATION_WRITER_ROLE: z.optional(
    z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')),
  ),
  /** Console links: the login URL's Issuer (the portal). */
  TESSERA_PORTAL_URL: z.optional(serviceUrl),
  /** Console links: the AWS federation endpoint; default the region's. */
  TESSERA_FEDERATION_ENDPOINT: z.optional(serviceUrl),
  /** Console links: the page opened by default; default the region's console home. */
  TESSERA_CONSOLE_DESTINATION: z.optional(serviceUrl),
});

export interface ConsoleConfig {
  /** The AWS federation endpoint (`getSigninToken`, `login`); region-aware by default. */
  readonly federationEndpoint: string;
  /** Where the console opens when the request names no destination. */
  readonly destination: string;
  /** The `Issuer` of the login URL: the portal's URL (where an expired session sends the user). */
  readonly issuer: string | null;
}

/** The federation endpoint and console home of a region, by partition (AWS IAM User Guide). */
export function consoleDefaults(region: string): {
  federationEndpoint: string;
  destination: string;
} {
  if (region.startsWith('cn-')) {
    return {
      federationEndpoint: 'https://signin.amazonaws.cn/federation',
      destination: `https://console.amazonaws.cn/console/home?region=${region}`,
    };
  }
  if (region.startsWith('us-gov-')) {
    return {
      federationEndpoint: 'https://signin.amazonaws-us-gov.com/federation',
      destination: `https://console.amazonaws-us-gov.com/console/home?region=${region}`,
    };
  }
  return {
    federationEndpoint: `https://${region}.signin.aws.amazon.com/federation`,
    destination: `https://${region}.console.aws.amazon.com/console/home?region=${region}`,
  };
}

/** Where the trail routes search CloudTrail (GET /v1/audit/{eventId}/trail). */
export interface TrailConfig {
  /** Account id -> `'self'` or the role ARN assumed to call LookupEvents there. */
  readonly accounts: Readonly<Record<string, string>>;
  /** `none`, `lookup` (LookupEvents answers data events: the local CloudTrail), or a trail. */
  readonly dataEvents: string;
}

export interface TesseraConfig {
  readonly region: string;
  /** `subjects: null`: no subjects table (in-process tests); what-if and review then answer 503. */
  readonly tables: {
    readonly bindings: string;
    readonly audit: string;
    readonly subjects: string | null;
  };
  readonly pools: readonly PoolConfig[];
  readonly adminGroup: string;
  /** The AWS account the functions run in (TESSERA_ACCOUNT_ID); IAM GetRole sees only its roles. */
  readonly accountId: string | null;
  /** The broker's credentials are a role session: cap sessions at 3600 s (AWS role chaining). */
  readonly roleChainingCap: boolean;
  readonly cache: { readonly bindingsSeconds: number };
  /**
   * Milliseconds one DynamoDB attempt may take (TESSERA_STORE_TIMEOUT_MS, default 1000): a store
   * that does not answer in time is unavailable (503), never a request left hanging until the
   * Lambda timeout, which would answer without an audit event. With the SDK's 3 attempts, a load
   * and the audit write of its failure fit the vend function's 10 s.
   */
  readonly storeTimeoutMs: number;
  /** Milliseconds one STS attempt may take (TESSERA_STS_TIMEOUT_MS, default 1500; 4 attempts). */
  readonly stsTimeoutMs: number;
  /** The role other accounts' templates create for revocation policy writes; null: none. */
  readonly revocationWriterRole?: string | null;
  readonly auditTtlDays: number;
  /** Retention of the subjects table's records, days (its TTL). */
  readonly subjectTtlDays: number;
  /** Allowed CORS origins; empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** Per source IP and per subject, in this instance (API Gateway throttles across instances). */
  readonly rateLimits: RateLimits;
  /** Tessera's own OIDC issuer (the web-identity vendor); absent or null: not deployed. */
  readonly oidc?: OidcConfig | null;
  /** Account id -> name, shown beside account ids (TESSERA_ACCOUNTS). */
  readonly accounts: Readonly<Record<string, string>>;
  /** The pool's custom attributes, and which ones users can write (TESSERA_CUSTOM_ATTRIBUTES). */
  readonly customAttributes: readonly CustomAttribute[];
  /** Console sign-in links (POST /v1/console). */
  readonly console: ConsoleConfig;
  /**
   * CloudTrail searches of the trail routes (loadConfig always sets it; a configuration built by
   * hand without it searches no account, and every trail answer says so).
   */
  readonly trail?: TrailConfig;
  /**
   * The roles a binding may name, and the broker's own role (TESSERA_TARGET_ROLES,
   * TESSERA_BROKER_ROLE_ARN). Null (or absent) when not set: the binding-admin app then refuses
   * to start; the vend apps do not read them.
   */
  readonly targetRoles?: TargetRoles | null;
  /** In-process use (local stack, tests): endpoint overrides. In Lambda the SDK reads AWS_ENDPOINT_URL_*. */
  readonly endpoints?: {
    readonly sts?: string;
    readonly dynamodb?: string;
    readonly iam?: string;
    readonly kms?: string;
    readonly cloudtrail?: string;
  };
  /** In-process use: credentials for the SDK clients. In Lambda the default provider chain. */
  readonly credentials?: AwsCredentials;
}

export function loadConfig(env: Record<string, string | undefined>): TesseraConfig {
  const set = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = parseWith(envSchema, set);
  if (!parsed.ok) throw new ConfigError(parsed.problems as ConfigError['problems']);
  const v = parsed.value;
  const problems: ConfigProblem[] = [];
  const oidc = oidcConfig(v, problems);
  const targetRoles = targetRolesOf(v, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    oidc,
    region: v.AWS_REGION,
    tables: {
      bindings: v.TESSERA_BINDINGS_TABLE,
      audit: v.TESSERA_AUDIT_TABLE,
      subjects: v.TESSERA_SUBJECTS_TABLE,
    },
    pools: v.TESSERA_POOLS,
    adminGroup: v.TESSERA_ADMIN_GROUP,
    accountId: v.TESSERA_ACCOUNT_ID,
    roleChainingCap: v.TESSERA_ROLE_CHAINING !== 'false',
    cache: { bindingsSeconds: v.TESSERA_BINDINGS_CACHE_SECONDS },
    storeTimeoutMs: v.TESSERA_STORE_TIMEOUT_MS,
    stsTimeoutMs: v.TESSERA_STS_TIMEOUT_MS,
    revocationWriterRole: v.TESSERA_REVOCATION_WRITER_ROLE ?? null,
    auditTtlDays: v.TESSERA_AUDIT_TTL_DAYS,
    subjectTtlDays: v.TESSERA_SUBJECTS_TTL_DAYS,
    corsOrigins: v.TESSERA_CORS_ORIGINS,
    rateLimits: {
      perSourceIp: rateLimit(v.TESSERA_RATE_LIMIT_PER_IP),
      perSubject: rateLimit(v.TESSERA_RATE_LIMIT_PER_SUBJECT),
    },
    accounts: v.TESSERA_ACCOUNTS,
    customAttributes: v.TESSERA_CUSTOM_ATTRIBUTES,
    trail: {
      accounts:
        v.TESSERA_TRAIL_ACCOUNTS ??
        (v.TESSERA_ACCOUNT_ID === null ? {} : { [v.TESSERA_ACCOUNT_ID]: 'self' }),
      dataEvents: v.TESSERA_TRAIL_DATA_EVENTS,
    },
    targetRoles,
    console: {
      federationEndpoint:
        v.TESSERA_FEDERATION_ENDPOINT ?? consoleDefaults(v.AWS_REGION).federationEndpoint,
      destination: v.TESSERA_CONSOLE_DESTINATION ?? consoleDefaults(v.AWS_REGION).destination,
      issuer: v.TESSERA_PORTAL_URL ?? null,
    },
  };
}

/** Both variables, or neither (one without the other is a configuration error). */
function targetRolesOf(
  v: Pick<z.output<typeof envSchema>, 'TESSERA_TARGET_ROLES' | 'TESSERA_BROKER_ROLE_ARN'>,
  problems: ConfigProblem[],
): TargetRoles | null {
  const allowed = v.TESSERA_TARGET_ROLES;
  const brokerRoleArn = v.TESSERA_BROKER_ROLE_ARN;
  if (allowed !== undefined && brokerRoleArn !== undefined) return { allowed, brokerRoleArn };
  if (allowed === undefined && brokerRoleArn === undefined) return null;
  const missing = allowed === undefined ? 'TESSERA_TARGET_ROLES' : 'TESSERA_BROKER_ROLE_ARN';
  problems.push({
    code: 'Required',
    pointer: `/${missing}`,
    message: 'TESSERA_TARGET_ROLES and TESSERA_BROKER_ROLE_ARN are set together',
  });
  return null;
}

/** Requests a minute (0: no limit), with bursts of a quarter minute's worth. */
function rateLimit(perMinute: number): RateLimit | null {
  return perMinute === 0 ? null : { perMinute, burst: Math.max(1, Math.ceil(perMinute / 4)) };
}
