/**
 * The deployment configuration: its types, and the validation that turns a `TesseraConfig` plus a
 * stage name into a `Stage` every infra module reads. Pure: no SST globals, no AWS SDK, so
 * `sst.config.ts`, `npm run synth` and the tests share it. The values live in `tessera.config.ts`.
 *
 * Secure by default: turning something off (federation, example roles) takes an explicit `null`,
 * and a misconfiguration throws one `ConfigError` that lists every problem with its path.
 */

export const STAGES = ['dev', 'production'] as const;
export type StageName = (typeof STAGES)[number];

/** The user pool: created by this app, or an existing one adopted by id. */
export type UserPoolConfig =
  | {
      readonly kind: 'create';
      /** Hosted-UI domain prefix: `<prefix>.auth.<region>.amazoncognito.com` (the OAuth endpoints). */
      readonly domainPrefix: string;
    }
  | {
      readonly kind: 'existing';
      /** `<region>_<id>`, e.g. `eu-west-1_AbCdEf123`. */
      readonly userPoolId: string;
    };

export type TokenUse = 'id' | 'access' | null;

/** A pool as the handlers read it from TESSERA_POOLS. */
export interface PoolConfig {
  readonly userPoolId: string;
  readonly clientIds: readonly string[];
  readonly tokenUse: TokenUse;
}

/** Federation of employees from the company IdP into the pool. */
export type FederationConfig =
  | {
      readonly type: 'saml';
      /** Provider name shown on the hosted UI, [\w.-]{1,32}. */
      readonly name: string;
      readonly metadataUrl: string;
      /** Pool attribute -> SAML attribute name. */
      readonly attributes: Readonly<Record<string, string>>;
    }
  | {
      readonly type: 'oidc';
      readonly name: string;
      readonly issuer: string;
      readonly clientId: string;
      /** The name of the SST secret (`sst secret set <name> ...`) holding the client secret. */
      readonly clientSecretName: string;
      readonly scopes: readonly string[];
      readonly attributes: Readonly<Record<string, string>>;
    };

/**
 * The roles the broker may assume. Either an explicit list of role ARNs, or one IAM path in a list
 * of accounts (`arn:aws:iam::<account>:role<path>*`) for fleets of roles created later.
 */
export type TargetRolesConfig =
  | { readonly arns: readonly string[] }
  | { readonly path: string; readonly accounts: readonly string[] };

/** The example target roles for the three jobs, created in the broker's account. */
export interface ExamplesConfig {
  /** Existing bucket the app-upload role writes `uploads/<sub>/` of. */
  readonly uploadBucket: string;
}

export interface StageConfig {
  /** The broker's own account (12 digits) and region. */
  readonly account: string;
  readonly region: string;
  readonly userPool: UserPoolConfig;
  /**
   * Which tokens of this pool the broker accepts: `'access'`, `'id'`, or `null` for both (explicit).
   * ID tokens carry `cognito:username` and `custom:*` attributes; access tokens carry `client_id`.
   */
  readonly tokenUse: TokenUse;
  /** Pools of other regions or apps whose tokens the broker also accepts. */
  readonly extraPools: readonly PoolConfig[];
  readonly federation: FederationConfig | null;
  readonly targetRoles: TargetRolesConfig;
  readonly adminGroup: string;
  readonly portal: {
    /** Exact origins allowed by CORS, e.g. `https://access.example.com`. */
    readonly origins: readonly string[];
    readonly callbackUrls: readonly string[];
    readonly logoutUrls: readonly string[];
  };
  /** Loopback redirect the CLI listens on for the authorization-code + PKCE flow. */
  readonly cliCallbackUrls: readonly string[];
  /** API Gateway default route throttling (requests per second, burst). */
  readonly throttle: { readonly rate: number; readonly burst: number };
  readonly examples: ExamplesConfig | null;
}

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

export interface ConfigProblem {
  /** Dotted path into the configuration, e.g. `stages.production.targetRoles.arns[1]`. */
  readonly path: string;
  readonly message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'InvalidConfig' as const;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `tessera.config.ts is invalid:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** Identity for type inference and editor help in `tessera.config.ts`. */
export function defineConfig(config: TesseraConfig): TesseraConfig {
  return config;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const APP_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const ROLE_PATH = /^\/([\w+=,.@-]+\/)+$/;
const USER_POOL_ID = /^[a-z]{2}(-gov)?-[a-z]+-\d_[0-9A-Za-z]+$/;
const GROUP_NAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const PROVIDER_NAME = /^[\w.-]{1,32}$/;

/** Validates one stage of the configuration; throws `ConfigError` listing every problem. */
export function resolveStage(config: TesseraConfig, stageName: string): Stage {
  if (!isStageName(stageName)) {
    throw new ConfigError([
      {
        path: 'stage',
        message: `unknown stage "${stageName}"; known stages: ${STAGES.join(', ')}`,
      },
    ]);
  }
  const stage = config.stages[stageName];
  const base = `stages.${stageName}`;
  const problems = [
    ...check(APP_NAME.test(config.app), 'app', 'must match [a-z][a-z0-9-]{0,19}'),
    ...checkStage(stage, stageName, base),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
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

function checkStage(stage: StageConfig, name: StageName, base: string): ConfigProblem[] {
  return [
    ...check(ACCOUNT.test(stage.account), `${base}.account`, 'must be a 12-digit account id'),
    ...check(REGION.test(stage.region), `${base}.region`, 'must be a region such as eu-west-1'),
    ...checkUserPool(stage.userPool, `${base}.userPool`),
    ...stage.extraPools.flatMap((pool, i) => [
      ...check(
        USER_POOL_ID.test(pool.userPoolId),
        `${base}.extraPools[${i}].userPoolId`,
        'must be <region>_<id>',
      ),
      ...check(
        pool.clientIds.length > 0 && pool.clientIds.every((id) => id.length > 0),
        `${base}.extraPools[${i}].clientIds`,
        'must list at least one app client id',
      ),
    ]),
    ...checkFederation(stage.federation, `${base}.federation`),
    ...checkTargetRoles(stage.targetRoles, `${base}.targetRoles`),
    ...check(
      GROUP_NAME.test(stage.adminGroup),
      `${base}.adminGroup`,
      'must be a Cognito group name',
    ),
    ...checkUrls(stage.portal.origins, `${base}.portal.origins`, name, { origin: true }),
    ...checkUrls(stage.portal.callbackUrls, `${base}.portal.callbackUrls`, name, { origin: false }),
    ...checkUrls(stage.portal.logoutUrls, `${base}.portal.logoutUrls`, name, { origin: false }),
    ...stage.cliCallbackUrls.flatMap((url, i) =>
      check(
        isLoopback(url),
        `${base}.cliCallbackUrls[${i}]`,
        'must be an http://localhost or http://127.0.0.1 URL',
      ),
    ),
    ...checkThrottle(stage.throttle, `${base}.throttle`),
    ...(stage.examples === null
      ? []
      : check(
          /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(stage.examples.uploadBucket),
          `${base}.examples.uploadBucket`,
          'must be an S3 bucket name',
        )),
  ];
}

function checkUserPool(pool: UserPoolConfig, path: string): ConfigProblem[] {
  switch (pool.kind) {
    case 'create':
      return check(
        DOMAIN_PREFIX.test(pool.domainPrefix),
        `${path}.domainPrefix`,
        'must be a lower-case DNS label',
      );
    case 'existing':
      return check(
        USER_POOL_ID.test(pool.userPoolId),
        `${path}.userPoolId`,
        'must be <region>_<id>',
      );
  }
}

function checkFederation(federation: FederationConfig | null, path: string): ConfigProblem[] {
  if (federation === null) return [];
  const name = check(
    PROVIDER_NAME.test(federation.name),
    `${path}.name`,
    'must match [\\w.-]{1,32}',
  );
  switch (federation.type) {
    case 'saml':
      return [
        ...name,
        ...check(isHttps(federation.metadataUrl), `${path}.metadataUrl`, 'must be an https URL'),
      ];
    case 'oidc':
      return [
        ...name,
        ...check(isHttps(federation.issuer), `${path}.issuer`, 'must be an https URL'),
        ...check(federation.clientId.length > 0, `${path}.clientId`, 'must not be empty'),
        ...check(
          /^[A-Z][A-Za-z0-9]*$/.test(federation.clientSecretName),
          `${path}.clientSecretName`,
          'must be an SST secret name (PascalCase)',
        ),
      ];
  }
}

function checkTargetRoles(targets: TargetRolesConfig, path: string): ConfigProblem[] {
  if ('arns' in targets) {
    if (targets.arns.length === 0)
      return [{ path: `${path}.arns`, message: 'must name at least one role' }];
    return targets.arns.flatMap((arn, i) =>
      check(
        ROLE_ARN.test(arn) && !/[*?]/.test(arn),
        `${path}.arns[${i}]`,
        `"${arn}" is not a role ARN without wildcards`,
      ),
    );
  }
  return [
    ...check(
      ROLE_PATH.test(targets.path),
      `${path}.path`,
      'must be an IAM path such as /tessera/ (not /, no wildcards)',
    ),
    ...check(targets.accounts.length > 0, `${path}.accounts`, 'must name at least one account'),
    ...targets.accounts.flatMap((a, i) =>
      check(ACCOUNT.test(a), `${path}.accounts[${i}]`, 'must be a 12-digit account id'),
    ),
  ];
}

function checkUrls(
  urls: readonly string[],
  path: string,
  stage: StageName,
  opts: { origin: boolean },
): ConfigProblem[] {
  if (urls.length === 0) return [{ path, message: 'must list at least one URL' }];
  return urls.flatMap((url, i) => {
    const ok = isHttps(url) || (stage === 'dev' && isLoopback(url));
    const what = stage === 'dev' ? 'an https URL (or http://localhost in dev)' : 'an https URL';
    if (!ok) return [{ path: `${path}[${i}]`, message: `"${url}" must be ${what}` }];
    if (opts.origin && new URL(url).origin !== url) {
      return [
        {
          path: `${path}[${i}]`,
          message: `"${url}" must be an origin (scheme://host[:port], no path or slash)`,
        },
      ];
    }
    return [];
  });
}

function checkThrottle(throttle: StageConfig['throttle'], path: string): ConfigProblem[] {
  return [
    ...check(
      Number.isInteger(throttle.rate) && throttle.rate > 0,
      `${path}.rate`,
      'must be a positive integer',
    ),
    ...check(
      Number.isInteger(throttle.burst) && throttle.burst > 0,
      `${path}.burst`,
      'must be a positive integer',
    ),
  ];
}

function check(ok: boolean, path: string, message: string): ConfigProblem[] {
  return ok ? [] : [{ path, message }];
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
