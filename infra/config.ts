/**
 * The deployment configuration, described once with zod (the schema is the validator and the
 * source of the types), and `resolveStage`, which turns a `TesseraConfig` plus a stage name into a
 * `Stage` every infra module reads. Pure: no SST globals, no AWS SDK, so `sst.config.ts`,
 * `npm run synth` and the tests share it. The values live in `tessera.config.ts`.
 *
 * Secure by default: turning something off (federation, example roles) takes an explicit `null`,
 * and a misconfiguration throws one `ConfigError` that lists every problem with its JSON Pointer
 * (`/stages/production/targetRoles/arns/1`).
 */
import * as z from 'zod/mini';

export const STAGES = ['dev', 'production'] as const;
export type StageName = (typeof STAGES)[number];

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const APP_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const ROLE_PATH = /^\/([\w+=,.@-]+\/)+$/;
const USER_POOL_ID = /^[a-z]{2}(-gov)?-[a-z]+-\d_[0-9A-Za-z]+$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PROVIDER_NAME = /^[\w.-]{1,32}$/;

const text = (re: RegExp, message: string) => z.string().check(z.regex(re, message));
const account = text(ACCOUNT, 'must be a 12-digit account id');
const userPoolId = text(USER_POOL_ID, 'must be <region>_<id>');
const tokenUse = z.nullable(z.enum(['id', 'access']));
const https = z.string().check(z.refine(isHttps, 'must be an https URL'));
const attributes = z.record(z.string(), z.string());
const positive = z.int().check(z.positive('must be a positive integer'));

/** The user pool: created by this app, or an existing one adopted by id. */
const userPoolSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('create'),
    /** Hosted-UI domain prefix: `<prefix>.auth.<region>.amazoncognito.com` (the OAuth endpoints). */
    domainPrefix: text(DOMAIN_PREFIX, 'must be a lower-case DNS label'),
  }),
  /** `<region>_<id>`, e.g. `eu-west-1_AbCdEf123`. */
  z.strictObject({
    kind: z.literal('existing'),
    userPoolId,
    /** The adopted pool's hosted-UI domain prefix: where the portal sends people to sign in. */
    domainPrefix: text(DOMAIN_PREFIX, 'must be a lower-case DNS label'),
  }),
]);

/** A pool as the handlers read it from TESSERA_POOLS. */
const poolSchema = z.strictObject({
  userPoolId,
  clientIds: z
    .array(z.string().check(z.minLength(1, 'must not be empty')))
    .check(z.minLength(1, 'must list at least one app client id')),
  tokenUse,
});

const providerName = text(PROVIDER_NAME, 'must match [\\w.-]{1,32}');
/** Federation of employees from the company IdP into the pool. */
const federationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('saml'),
    /** Provider name shown on the hosted UI, [\w.-]{1,32}. */
    name: providerName,
    metadataUrl: https,
    /** Pool attribute -> SAML attribute name. */
    attributes,
  }),
  z.strictObject({
    type: z.literal('oidc'),
    name: providerName,
    issuer: https,
    clientId: z.string().check(z.minLength(1, 'must not be empty')),
    /** The name of the SST secret (`sst secret set <name> ...`) holding the client secret. */
    clientSecretName: text(/^[A-Z][A-Za-z0-9]*$/, 'must be an SST secret name (PascalCase)'),
    scopes: z.array(z.string()),
    attributes,
  }),
]);

const roleArnWithoutWildcards = z.string().check(
  z.refine((arn) => ROLE_ARN.test(arn) && !/[*?]/.test(arn), {
    error: (issue) => `"${String(issue.input)}" is not a role ARN without wildcards`,
  }),
);

/**
 * The roles the broker may assume. Either an explicit list of role ARNs, or one IAM path in a list
 * of accounts (`arn:aws:iam::<account>:role<path>*`) for fleets of roles created later.
 */
const targetRolesSchema = z.union([
  z.strictObject({
    arns: z.array(roleArnWithoutWildcards).check(z.minLength(1, 'must name at least one role')),
  }),
  z.strictObject({
    path: text(ROLE_PATH, 'must be an IAM path such as /tessera/ (not /, no wildcards)'),
    accounts: z.array(account).check(z.minLength(1, 'must name at least one account')),
  }),
]);

/** URLs of the portal: https, or http://localhost in dev; origins without a path. */
function urlList(stage: StageName, kind: 'origin' | 'url') {
  const what = stage === 'dev' ? 'an https URL (or http://localhost in dev)' : 'an https URL';
  const url = z.string().check(
    z.refine((u) => isHttps(u) || (stage === 'dev' && isLoopback(u)), {
      error: (issue) => `"${String(issue.input)}" must be ${what}`,
      abort: true,
    }),
    z.refine((u) => kind === 'url' || new URL(u).origin === u, {
      error: (issue) =>
        `"${String(issue.input)}" must be an origin (scheme://host[:port], no path or slash)`,
    }),
  );
  return z.array(url).check(z.minLength(1, 'must list at least one URL'));
}

/** One stage's settings (the URL rules depend on the stage). */
function stageSchema(stage: StageName) {
  return z.strictObject({
    /** The broker's own account (12 digits) and region. */
    account,
    region: text(REGION, 'must be a region such as eu-west-1'),
    userPool: userPoolSchema,
    /**
     * Which tokens of this pool the broker accepts: `'access'`, `'id'`, or `null` for both (explicit).
     * ID tokens carry `cognito:username` and `custom:*` attributes; access tokens carry `client_id`.
     */
    tokenUse,
    /** Pools of other regions or apps whose tokens the broker also accepts. */
    extraPools: z.array(poolSchema),
    federation: z.nullable(federationSchema),
    targetRoles: targetRolesSchema,
    adminGroup: text(GROUP_NAME, 'must be a Cognito group name'),
    portal: z.strictObject({
      /** Exact origins allowed by CORS, e.g. `https://access.example.com`. */
      origins: urlList(stage, 'origin'),
      callbackUrls: urlList(stage, 'url'),
      logoutUrls: urlList(stage, 'url'),
    }),
    /** Loopback redirect the CLI listens on for the authorization-code + PKCE flow. */
    cliCallbackUrls: z.array(
      z.string().check(z.refine(isLoopback, 'must be an http://localhost or http://127.0.0.1 URL')),
    ),
    /** API Gateway default route throttling (requests per second, burst). */
    throttle: z.strictObject({ rate: positive, burst: positive }),
    /** The example target roles for the three jobs, created in the broker's account. */
    examples: z.nullable(
      z.strictObject({
        /** Existing bucket the app-upload role writes `uploads/<sub>/` of. */
        uploadBucket: text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
      }),
    ),
    /**
     * Tessera as an OIDC issuer for the web-identity vendor (infra/web-identity.ts): the API's
     * custom domain (the issuer URL every trusting role names), its ACM certificate, and the
     * audience of Tessera's tokens. `null` (the default): AssumeRole vendor only.
     */
    webIdentity: z._default(
      z.nullable(
        z.strictObject({
          domain: text(
            /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
            'must be a DNS name like id.example.com',
          ),
          certificateArn: text(
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
            'must be an ACM certificate ARN',
          ),
          audience: text(/^[\x21-\x7e]{1,255}$/, 'must be 1..255 printable characters'),
        }),
      ),
      null,
    ),
    /**
     * The trail routes (`GET /v1/audit/{eventId}/trail`): the other accounts whose CloudTrail they
     * search through each account's trail-reader role (the cross-account template creates it; the
     * broker's own account is always searched), and whether to create a trail recording the S3
     * object (data) events of the example upload bucket (LookupEvents has no data events).
     */
    trail: z._default(
      z.strictObject({
        accounts: z.array(account),
        dataEvents: z.boolean(),
      }),
      { accounts: [], dataEvents: false },
    ),
    /** Account id -> name, shown beside account ids in `GET /v1/roles`. */
    accounts: z.record(account, z.string().check(z.minLength(1), z.maxLength(64))),
    /**
     * The pool's custom attributes: declared in the pool schema, the `token:custom:*` keys trust
     * policies may check, and which ones users may write themselves (the only ones app clients
     * may write; a trust policy checking only those is refused).
     */
    customAttributes: z.array(
      z.strictObject({
        name: text(/^custom:[\w.-]{1,20}$/, 'must be custom:<name> (1-20 characters of [\\w.-])'),
        userWritable: z.boolean(),
      }),
    ),
    /** Console sign-in links (POST /v1/console). */
    console: z.strictObject({
      /** The portal's URL: the login URL's `Issuer`, where an expired console session sends users. */
      portalUrl: z
        .string()
        .check(
          z.refine(
            (u) => isHttps(u) || (stage === 'dev' && isLoopback(u)),
            stage === 'dev'
              ? 'must be an https URL (or http://localhost in dev)'
              : 'must be an https URL',
          ),
        ),
      /** The AWS federation endpoint; `null`: the stage region's. */
      federationEndpoint: z.nullable(
        z.string().check(z.refine(isHttps, 'must be an https URL, or null for the region default')),
      ),
      /** The console page opened by default; `null`: the stage region's console home. */
      destination: z.nullable(
        z.string().check(z.refine(isHttps, 'must be an https URL, or null for the region default')),
      ),
    }),
  });
}

export type StageConfig = z.output<ReturnType<typeof stageSchema>>;
export type UserPoolConfig = StageConfig['userPool'];
export type TokenUse = StageConfig['tokenUse'];
export type PoolConfig = StageConfig['extraPools'][number];
export type FederationConfig = NonNullable<StageConfig['federation']>;
export type TargetRolesConfig = StageConfig['targetRoles'];
export type ExamplesConfig = NonNullable<StageConfig['examples']>;
export type WebIdentityConfig = NonNullable<StageConfig['webIdentity']>;
export type TrailConfig = StageConfig['trail'];

export interface TesseraConfig {
  /** The SST app name: prefixes every physical name. */
  readonly app: string;
  readonly stages: Readonly<Record<StageName, StageConfig>>;
}

/** A validated stage: what every infra module reads. */
export interface Stage extends StageConfig {
  readonly app: string;
  readonly name: StageName;
  readonly production: boolean;
  readonly partition: 'aws' | 'aws-cn' | 'aws-us-gov';
}

/** The codes a configuration problem carries. */
export type ConfigProblemCode =
  | 'Required'
  | 'UnknownField'
  | 'UnknownStage'
  | 'InvalidValue'
  | 'InvalidFormat'
  | 'OutOfRange'
  | 'TooShort'
  | 'TooLong'
  | 'TooFew'
  | 'NotCovered'
  | 'UndeclaredFunction';

export interface ConfigProblem {
  readonly code: ConfigProblemCode;
  /** JSON Pointer into the configuration, e.g. `/stages/production/targetRoles/arns/1`. */
  readonly pointer: string;
  readonly message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'InvalidConfig' as const;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `tessera.config.ts is invalid:\n${problems.map((p) => `  - ${p.pointer || '/'}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** Identity for type inference and editor help in `tessera.config.ts`. */
export function defineConfig(config: TesseraConfig): TesseraConfig {
  return config;
}

/** Validates one stage of the configuration; throws `ConfigError` listing every problem. */
export function resolveStage(config: TesseraConfig, stageName: string): Stage {
  if (!isStageName(stageName)) {
    throw new ConfigError([
      {
        code: 'UnknownStage',
        pointer: '/stages',
        message: `unknown stage "${stageName}"; known stages: ${STAGES.join(', ')}`,
      },
    ]);
  }
  // Only the stage deployed is checked: the other may be work in progress.
  const schema = z.object({
    app: text(APP_NAME, 'must match [a-z][a-z0-9-]{0,19}'),
    stages: z.object({ [stageName]: stageSchema(stageName) }),
  });
  const result = z.safeParse(schema, config, { reportInput: true });
  if (!result.success) throw new ConfigError(configProblems(result.error.issues));
  const stage = config.stages[stageName];
  return {
    ...stage,
    app: config.app,
    name: stageName,
    production: stageName === 'production',
    partition: partitionOf(stage.region),
  };
}

export function isStageName(name: string): name is StageName {
  return (STAGES as readonly string[]).includes(name);
}

/** Tessera's code for one zod issue (the names `@tessera/broker`'s schemas use). */
function codeOf(issue: z.core.$ZodIssue): ConfigProblemCode {
  switch (issue.code) {
    case 'too_small':
      return issue.origin === 'array'
        ? 'TooFew'
        : issue.origin === 'string'
          ? 'TooShort'
          : 'OutOfRange';
    case 'too_big':
      return issue.origin === 'string' ? 'TooLong' : 'OutOfRange';
    case 'invalid_type':
      return issue.input === undefined ? 'Required' : 'InvalidValue';
    case 'invalid_format':
    case 'custom':
      return 'InvalidFormat';
    default:
      return 'InvalidValue';
  }
}

/** Zod's issues as problems with JSON Pointers; of a union's options, the closest one's. */
function configProblems(
  issues: readonly z.core.$ZodIssue[],
  base: PropertyKey[] = [],
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      return configProblems(closest, path);
    }
    const pointer = path
      .map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`)
      .join('');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        code: 'UnknownField',
        pointer: `${pointer}/${key}`,
        message: 'is not a setting',
      }));
    }
    return [{ code: codeOf(issue), pointer, message: issue.message }];
  });
}

function isHttps(url: string): boolean {
  return parseUrl(url)?.protocol === 'https:';
}

function isLoopback(url: string): boolean {
  const parsed = parseUrl(url);
  return (
    parsed?.protocol === 'http:' &&
    (parsed.hostname === 'localhost' || parsed.hostname === '127.0.0.1')
  );
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function partitionOf(region: string): Stage['partition'] {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
