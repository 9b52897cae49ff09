/**
 * The local config file (`tessera.local.json`, or `<home>/config.json`), described once with
 * zod: the schema is the validator and the source of the `LocalConfig` types. What a schema of
 * one member cannot say — uniqueness, references between members (a role's account, the broker
 * role, a binding's issuer and role), the seed bindings themselves (the broker's `checkBinding`)
 * — is checked by `crossChecks`, on the raw document, so every problem is listed at once.
 */
import {
  type BindingIssueCode,
  checkBinding,
  pointerOf,
  type SchemaProblem,
} from '@tessera/broker';
import * as z from 'zod/mini';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CLIENT_ID = /^[a-z0-9]{1,128}$/;
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const ACCOUNT = /^\d{12}$/;
const IAM_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^\/([\x21-\x7e]*\/)?$/;
const RESERVED_ATTRIBUTES = ['sub', 'cognito:username', 'cognito:groups'];
/** S3's general purpose bucket names, without dots (path-style only, no IP-address names). */
const BUCKET = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The codes a local config problem carries. */
export type LocalConfigProblemCode =
  | SchemaProblem['code']
  | BindingIssueCode
  | 'InvalidJson'
  | 'Duplicate'
  | 'MissingClient'
  | 'UnknownAccount'
  | 'UnknownRole'
  | 'PoolIdRegionMismatch'
  | 'IssuerMismatch'
  | 'ReservedAttribute';

export type LocalConfigProblem = SchemaProblem<LocalConfigProblemCode>;

const text = z.string().check(z.minLength(1, 'required, a non-empty string'));
const matching = (re: RegExp, what: string) => z.string().check(z.regex(re, what));
const account = matching(ACCOUNT, 'must be a 12-digit account id');
const policyDocument = z.record(z.string(), z.unknown());
/** Inline identity policies by name. */
const policies = z._default(z.record(z.string(), policyDocument), {});
const seconds = (min: number, max: number) =>
  z._default(z.int().check(z.minimum(min), z.maximum(max)), 3600);

const client = z.strictObject({
  /** The short name used in this file and in local.json (`app`, `cli`, `portal`). */
  name: text,
  clientId: matching(CLIENT_ID, 'must be 1..128 characters of [a-z0-9]'),
  /** OAuth2 redirect URIs the hosted UI accepts for this client. */
  callbackUrls: z.array(
    z.string().check(z.refine((u) => URL.canParse(u), 'must be an absolute URL')),
  ),
  scopes: z.array(z.string()),
});

const user = z.strictObject({
  username: matching(USERNAME, 'must be a Cognito username'),
  groups: z._default(z.array(text), []),
  /** Cognito attributes, e.g. `email`, `custom:team`. */
  attributes: z._default(z.record(z.string(), z.string()), {}),
});

const role = z.strictObject({
  name: matching(IAM_NAME, 'must be an IAM role name'),
  account,
  path: z._default(matching(PATH, 'must start and end with "/"'), '/'),
  description: z._default(z.string(), ''),
  /** As in IAM: 3600..43200. */
  maxSessionDuration: seconds(3600, 43_200),
  trustPolicy: policyDocument,
  policies,
  /**
   * Customer managed policies attached to the role, by name: each is the policy
   * `arn:aws:iam::<account>:policy/<name>` (IAM ListAttachedRolePolicies / GetPolicyVersion).
   */
  managedPolicies: policies,
});

/** An IAM user with a long-term (AKIA) access key, generated on first start. */
const iamUser = z.strictObject({
  name: matching(IAM_NAME, 'must be an IAM user name'),
  account,
  policies,
});

/** A bucket CORS rule, in S3's PutBucketCors shape; first match wins. */
const corsRule = z.strictObject({
  ID: z.optional(z.string()),
  AllowedOrigins: z
    .array(
      text.check(z.refine((o) => o.split('*').length <= 2, 'may hold at most one "*" wildcard')),
    )
    .check(z.minLength(1, 'at least one origin')),
  AllowedMethods: z
    .array(z.enum(['GET', 'PUT', 'POST', 'DELETE', 'HEAD']))
    .check(z.minLength(1, 'at least one method')),
  AllowedHeaders: z._default(z.array(text), []),
  ExposeHeaders: z._default(z.array(text), []),
  MaxAgeSeconds: z.optional(z.int().check(z.minimum(0))),
});

/** A bucket of the local S3, owned by one of the accounts, with its policy and CORS rules. */
const bucket = z.strictObject({
  name: matching(BUCKET, 'must be an S3 bucket name: 3-63 of a-z, 0-9 and "-" (no dots)'),
  account,
  /** The bucket policy (a resource-based policy; compiled by @tessera/policy at start). */
  policy: z.optional(policyDocument),
  /** Empty: CORS is not enabled for the bucket. */
  cors: z._default(z.array(corsRule), []),
});

export const localConfigSchema = z.strictObject({
  region: matching(REGION, 'must be a region such as eu-west-1'),
  userPoolId: text,
  adminGroup: text,
  /** Which Cognito token the API accepts (TESSERA_POOLS tokenUse): `id`, `access`, or null for either. */
  tokenUse: z._default(z.nullable(z.enum(['id', 'access'])), 'id'),
  clients: z.array(client),
  users: z.array(user),
  accounts: z.array(z.strictObject({ id: account, name: text })),
  roles: z.array(role),
  iamUsers: z._default(z.array(iamUser), []),
  /** The local S3's buckets. */
  buckets: z._default(z.array(bucket), []),
  /** The broker's own identity: a role session of this role, as in Lambda. */
  broker: z.strictObject({ role: text, account }),
  /**
   * The roles bindings may name (TESSERA_TARGET_ROLES, as infra's `targetRoles`): role ARNs, or an
   * IAM path in some accounts. Default: every role of `roles` but the broker's.
   */
  targetRoles: z.optional(
    z.union([
      z.strictObject({ arns: z.array(text).check(z.minLength(1, 'at least one role ARN')) }),
      z.strictObject({
        path: matching(PATH, 'must start and end with "/"'),
        accounts: z.array(account).check(z.minLength(1, 'at least one account')),
      }),
    ]),
  ),
  /** The pool's custom attributes (`custom:<name>`) and whether users may write them themselves. */
  customAttributes: z._default(
    z.array(
      z.strictObject({
        name: matching(/^custom:[\w.-]{1,20}$/, 'must be custom:<name> (1..20 of [\\w.-])'),
        userWritable: z.boolean(),
      }),
    ),
    [],
  ),
  /** Ports per server; `TESSERA_PORTS` / `TESSERA_PORT` override them. */
  ports: z._default(
    z.strictObject({
      api: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      issuer: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      sts: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      iam: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      dynamodb: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      federation: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      s3: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
      cloudtrail: z.optional(z.int().check(z.minimum(0), z.maximum(65_535))),
    }),
    {},
  ),
  /** The portal's URL: the `Issuer` of console sign-in links; `null`: none. */
  portalUrl: z._default(
    z.nullable(z.string().check(z.refine((u) => URL.canParse(u), 'must be an absolute URL'))),
    null,
  ),
  /** Seed bindings, written through the broker's binding parsing on first start. */
  bindings: z.array(z.record(z.string(), z.unknown())),
  /** Lifetimes of issued tokens, seconds (as in Cognito: 300..86400). */
  tokens: z._default(
    z.strictObject({
      idTokenSeconds: seconds(300, 86_400),
      accessTokenSeconds: seconds(300, 86_400),
    }),
    { idTokenSeconds: 3600, accessTokenSeconds: 3600 },
  ),
});

export type LocalConfig = z.output<typeof localConfigSchema>;

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** The objects of an array member, with their index (non-objects are the schema's problem). */
function items(raw: Raw, key: string): [number, Raw][] {
  const list = raw[key];
  return Array.isArray(list)
    ? list.flatMap((item, i): [number, Raw][] => (isObject(item) ? [[i, item]] : []))
    : [];
}

function problem(
  code: LocalConfigProblemCode,
  pointer: string,
  message: string,
): LocalConfigProblem {
  return { code, pointer, message };
}

/** Case-insensitive duplicates of `field` among the objects of `key`. */
function duplicates(raw: Raw, key: string, field: (item: Raw) => string | undefined, what: string) {
  const seen = new Set<string>();
  return items(raw, key).flatMap(([i, item]) => {
    const value = field(item)?.toLowerCase();
    if (value === undefined) return [];
    if (seen.has(value))
      return [problem('Duplicate', `/${key}/${i}/${what}`, `duplicate "${field(item)}"`)];
    seen.add(value);
    return [];
  });
}

function poolChecks(raw: Raw): LocalConfigProblem[] {
  const region = str(raw['region']) ?? '';
  const userPoolId = str(raw['userPoolId']);
  const out: LocalConfigProblem[] = [];
  if (userPoolId && !new RegExp(`^${region}_[0-9A-Za-z]{1,55}$`).test(userPoolId)) {
    out.push(
      problem(
        'PoolIdRegionMismatch',
        '/userPoolId',
        `"${userPoolId}" must be Cognito's format <region>_<id> (${region}_...)`,
      ),
    );
  }
  const names = new Set(items(raw, 'clients').map(([, c]) => str(c['name'])));
  for (const required of ['app', 'cli', 'portal']) {
    if (!names.has(required))
      out.push(problem('MissingClient', '/clients', `needs a client "${required}"`));
  }
  for (const [i, u] of items(raw, 'users')) {
    const attributes = isObject(u['attributes']) ? u['attributes'] : {};
    for (const reserved of RESERVED_ATTRIBUTES.filter((r) => Object.hasOwn(attributes, r))) {
      out.push(
        problem(
          'ReservedAttribute',
          pointerOf(['users', i, 'attributes', reserved]),
          'is set by the issuer, not by the config',
        ),
      );
    }
  }
  return out;
}

function referenceChecks(raw: Raw): LocalConfigProblem[] {
  const accounts = new Set(items(raw, 'accounts').map(([, a]) => str(a['id'])));
  const unknownAccount = (key: string) =>
    items(raw, key).flatMap(([i, item]) => {
      const id = str(item['account']);
      return id && ACCOUNT.test(id) && !accounts.has(id)
        ? [problem('UnknownAccount', `/${key}/${i}/account`, `unknown account ${id}`)]
        : [];
    });
  const roles = items(raw, 'roles').map(([, r]) => r);
  const broker = isObject(raw['broker']) ? raw['broker'] : undefined;
  const brokerKnown = roles.some(
    (r) => r['name'] === broker?.['role'] && r['account'] === broker?.['account'],
  );
  return [
    ...unknownAccount('roles'),
    ...unknownAccount('iamUsers'),
    ...unknownAccount('buckets'),
    ...(broker && !brokerKnown
      ? [
          problem(
            'UnknownRole',
            '/broker',
            `role ${String(broker['role'])} in account ${String(broker['account'])} is not among /roles`,
          ),
        ]
      : []),
  ];
}

/** The seed bindings: the broker's own checks, this pool's issuer, roles of this file. */
function bindingChecks(raw: Raw): LocalConfigProblem[] {
  const issuer = `https://cognito-idp.${str(raw['region'])}.amazonaws.com/${str(raw['userPoolId'])}`;
  const roleArns = new Set(
    items(raw, 'roles').map(
      ([, r]) => `arn:aws:iam::${str(r['account'])}:role${str(r['path']) ?? '/'}${str(r['name'])}`,
    ),
  );
  return items(raw, 'bindings').flatMap(([i, b]) => {
    const at = `/bindings/${i}`;
    const checked = checkBinding({ ...b, roleMaxSessionDuration: 3600 });
    const out: LocalConfigProblem[] = checked.ok
      ? []
      : checked.problems.map((p) => ({ ...p, pointer: `${at}${p.pointer}` }));
    const bIssuer = str(b['issuer']);
    if (bIssuer && bIssuer !== issuer)
      out.push(problem('IssuerMismatch', `${at}/issuer`, `must be this pool's issuer ${issuer}`));
    const arn = str(b['roleArn']);
    if (arn && !roleArns.has(arn))
      out.push(problem('UnknownRole', `${at}/roleArn`, `${arn} is not among /roles`));
    return out;
  });
}

/** Every rule between members, on the raw document (so they are listed beside shape problems). */
export function crossChecks(raw: unknown): LocalConfigProblem[] {
  if (!isObject(raw)) return [];
  return [
    ...poolChecks(raw),
    ...duplicates(raw, 'clients', (c) => str(c['name']), 'name'),
    ...duplicates(raw, 'clients', (c) => str(c['clientId']), 'clientId'),
    ...duplicates(raw, 'users', (u) => str(u['username']), 'username'),
    ...duplicates(raw, 'accounts', (a) => str(a['id']), 'id'),
    ...duplicates(raw, 'roles', (r) => `${str(r['account'])}/${str(r['name'])}`, 'name'),
    ...duplicates(raw, 'bindings', (b) => str(b['id']), 'id'),
    ...duplicates(raw, 'buckets', (b) => str(b['name']), 'name'),
    ...referenceChecks(raw),
    ...bindingChecks(raw),
  ];
}
