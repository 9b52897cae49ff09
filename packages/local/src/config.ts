/**
 * The local config file: `packages/local/tessera.local.json` (committed default), replaced as a
 * whole by `<home>/config.json` when that exists. Validated loudly: the stack refuses to start
 * with the list of every problem; nothing is defaulted silently except documented optional fields.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalConfigError } from './errors.js';
import type {
  LocalAccount,
  LocalClient,
  LocalConfig,
  LocalIamUser,
  LocalRole,
  LocalUser,
  PolicyDocument,
} from './types.js';

/** The committed default, next to package.json (works from src/ under vitest and from dist/). */
export const DEFAULT_CONFIG_PATH = fileURLToPath(new URL('../tessera.local.json', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The state directory: `TESSERA_HOME`, else `<repo>/.tessera`. */
export function resolveHome(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.TESSERA_HOME;
  return fromEnv ? resolve(fromEnv) : resolve(REPO_ROOT, '.tessera');
}

/** The config path in effect for a home: `<home>/config.json` when present, else the default. */
export function configPathFor(home: string): string {
  const override = resolve(home, 'config.json');
  return existsSync(override) ? override : DEFAULT_CONFIG_PATH;
}

export function loadLocalConfig(path: string): LocalConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LocalConfigError(path, [`cannot read it as JSON: ${(err as Error).message}`]);
  }
  return parseLocalConfig(raw, path);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const CLIENT_ID = /^[a-z0-9]{1,128}$/;
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const ACCOUNT = /^\d{12}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const USER_NAME = /^[\w+=,.@-]{1,64}$/;
const PATH = /^\/([\x21-\x7e]*\/)?$/;
const BINDING_ID = /^[a-z0-9-]{1,64}$/;

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates an already parsed document. Throws LocalConfigError listing every problem. */
export function parseLocalConfig(raw: unknown, source = 'config'): LocalConfig {
  const problems: string[] = [];
  const fail = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(raw)) throw new LocalConfigError(source, ['the document must be a JSON object']);

  const str = (obj: Raw, key: string, where: string, re?: RegExp): string => {
    const v = obj[key];
    if (typeof v !== 'string' || v.length === 0) {
      fail(`${where}.${key}`, 'required, a non-empty string');
      return '';
    }
    if (re && !re.test(v)) fail(`${where}.${key}`, `"${v}" does not match ${re}`);
    return v;
  };
  const arr = (obj: Raw, key: string, where: string): unknown[] => {
    const v = obj[key];
    if (!Array.isArray(v)) {
      fail(`${where}.${key}`, 'required, an array');
      return [];
    }
    return v;
  };
  const policies = (obj: Raw, key: string, where: string): Record<string, PolicyDocument> => {
    const v = obj[key] ?? {};
    if (!isObject(v)) {
      fail(`${where}.${key}`, 'must be an object of policy name -> policy document');
      return {};
    }
    for (const [name, doc] of Object.entries(v)) {
      if (!isObject(doc)) fail(`${where}.${key}.${name}`, 'must be a policy document (an object)');
    }
    return v as Record<string, PolicyDocument>;
  };
  const unique = (values: string[], where: string) => {
    const seen = new Set<string>();
    for (const v of values) {
      if (seen.has(v.toLowerCase())) fail(where, `duplicate "${v}"`);
      seen.add(v.toLowerCase());
    }
  };

  const region = str(raw, 'region', '$', REGION);
  const userPoolId = str(raw, 'userPoolId', '$');
  if (userPoolId && !new RegExp(`^${region}_[0-9A-Za-z]{1,55}$`).test(userPoolId)) {
    fail('$.userPoolId', `"${userPoolId}" must be Cognito's format <region>_<id> (${region}_...)`);
  }
  const adminGroup = str(raw, 'adminGroup', '$');
  const tokenUse = raw.tokenUse === undefined ? 'id' : raw.tokenUse;
  if (tokenUse !== 'id' && tokenUse !== 'access' && tokenUse !== null) {
    fail('$.tokenUse', 'must be "id", "access" or null (either)');
  }

  const clients: LocalClient[] = arr(raw, 'clients', '$').map((c, i) => {
    const where = `$.clients[${i}]`;
    if (!isObject(c)) {
      fail(where, 'must be an object');
      return { name: '', clientId: '', callbackUrls: [], scopes: [] };
    }
    const callbackUrls = arr(c, 'callbackUrls', where).filter((u, j): u is string => {
      if (typeof u !== 'string' || !URL.canParse(u)) {
        fail(`${where}.callbackUrls[${j}]`, 'must be an absolute URL');
        return false;
      }
      return true;
    });
    const scopes = arr(c, 'scopes', where).filter((s): s is string => typeof s === 'string');
    return {
      name: str(c, 'name', where),
      clientId: str(c, 'clientId', where, CLIENT_ID),
      callbackUrls,
      scopes,
    };
  });
  unique(
    clients.map((c) => c.name),
    '$.clients[].name',
  );
  unique(
    clients.map((c) => c.clientId),
    '$.clients[].clientId',
  );
  for (const required of ['app', 'cli', 'portal']) {
    if (!clients.some((c) => c.name === required))
      fail('$.clients', `needs a client "${required}"`);
  }

  const users: LocalUser[] = arr(raw, 'users', '$').map((u, i) => {
    const where = `$.users[${i}]`;
    if (!isObject(u)) {
      fail(where, 'must be an object');
      return { username: '', groups: [], attributes: {} };
    }
    const groups = (u.groups ?? []) as unknown;
    if (!Array.isArray(groups) || !groups.every((g) => typeof g === 'string' && g.length > 0)) {
      fail(`${where}.groups`, 'must be an array of group names');
    }
    const attributes = (u.attributes ?? {}) as unknown;
    if (!isObject(attributes) || !Object.values(attributes).every((v) => typeof v === 'string')) {
      fail(`${where}.attributes`, 'must be an object of string values');
    }
    for (const reserved of ['sub', 'cognito:username', 'cognito:groups']) {
      if (isObject(attributes) && reserved in attributes) {
        fail(`${where}.attributes.${reserved}`, 'is set by the issuer, not by the config');
      }
    }
    return {
      username: str(u, 'username', where, USERNAME),
      groups: Array.isArray(groups) ? (groups as string[]) : [],
      attributes: isObject(attributes) ? (attributes as Record<string, string>) : {},
    };
  });
  unique(
    users.map((u) => u.username),
    '$.users[].username',
  );

  const accounts: LocalAccount[] = arr(raw, 'accounts', '$').map((a, i) => {
    const where = `$.accounts[${i}]`;
    if (!isObject(a)) {
      fail(where, 'must be an object');
      return { id: '', name: '' };
    }
    return { id: str(a, 'id', where, ACCOUNT), name: str(a, 'name', where) };
  });
  unique(
    accounts.map((a) => a.id),
    '$.accounts[].id',
  );
  const accountIds = new Set(accounts.map((a) => a.id));

  const roles: LocalRole[] = arr(raw, 'roles', '$').map((r, i) => {
    const where = `$.roles[${i}]`;
    if (!isObject(r)) {
      fail(where, 'must be an object');
      return {
        name: '',
        account: '',
        path: '/',
        description: '',
        maxSessionDuration: 3600,
        trustPolicy: {},
        policies: {},
      };
    }
    const account = str(r, 'account', where, ACCOUNT);
    if (account && !accountIds.has(account)) fail(`${where}.account`, `unknown account ${account}`);
    const max = r.maxSessionDuration ?? 3600;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 3600 || max > 43200) {
      fail(`${where}.maxSessionDuration`, 'must be an integer from 3600 to 43200 (as in IAM)');
    }
    const path = typeof r.path === 'string' ? r.path : '/';
    if (!PATH.test(path)) fail(`${where}.path`, 'must start and end with "/"');
    if (!isObject(r.trustPolicy)) fail(`${where}.trustPolicy`, 'required, a policy document');
    return {
      name: str(r, 'name', where, ROLE_NAME),
      account,
      path,
      description: typeof r.description === 'string' ? r.description : '',
      maxSessionDuration: typeof max === 'number' ? max : 3600,
      trustPolicy: isObject(r.trustPolicy) ? r.trustPolicy : {},
      policies: policies(r, 'policies', where),
    };
  });
  unique(
    roles.map((r) => `${r.account}/${r.name}`),
    '$.roles[] (account, name)',
  );

  const iamUsers: LocalIamUser[] = (Array.isArray(raw.iamUsers) ? raw.iamUsers : []).map((u, i) => {
    const where = `$.iamUsers[${i}]`;
    if (!isObject(u)) {
      fail(where, 'must be an object');
      return { name: '', account: '', policies: {} };
    }
    const account = str(u, 'account', where, ACCOUNT);
    if (account && !accountIds.has(account)) fail(`${where}.account`, `unknown account ${account}`);
    return {
      name: str(u, 'name', where, USER_NAME),
      account,
      policies: policies(u, 'policies', where),
    };
  });

  let broker = { role: '', account: '' };
  if (!isObject(raw.broker)) fail('$.broker', 'required: { role, account }');
  else {
    broker = {
      role: str(raw.broker, 'role', '$.broker'),
      account: str(raw.broker, 'account', '$.broker', ACCOUNT),
    };
    if (!roles.some((r) => r.name === broker.role && r.account === broker.account)) {
      fail('$.broker', `role ${broker.role} in account ${broker.account} is not among $.roles`);
    }
  }

  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  const roleArns = new Set(roles.map((r) => `arn:aws:iam::${r.account}:role${r.path}${r.name}`));
  const bindings = arr(raw, 'bindings', '$').map((b, i) => {
    const where = `$.bindings[${i}]`;
    if (!isObject(b)) {
      fail(where, 'must be a binding object');
      return {};
    }
    str(b, 'id', where, BINDING_ID);
    const bIssuer = str(b, 'issuer', where);
    if (bIssuer && bIssuer !== issuer)
      fail(`${where}.issuer`, `must be this pool's issuer ${issuer}`);
    const roleArn = str(b, 'roleArn', where);
    if (roleArn && !roleArns.has(roleArn))
      fail(`${where}.roleArn`, `${roleArn} is not among $.roles`);
    return b;
  });
  unique(
    bindings.map((b) => String(b.id ?? '')),
    '$.bindings[].id',
  );

  const tokensRaw = isObject(raw.tokens) ? raw.tokens : {};
  const seconds = (key: string): number => {
    const v = tokensRaw[key] ?? 3600;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 300 || v > 86400) {
      fail(`$.tokens.${key}`, 'must be an integer from 300 to 86400 (as in Cognito)');
      return 3600;
    }
    return v;
  };
  const tokens = {
    idTokenSeconds: seconds('idTokenSeconds'),
    accessTokenSeconds: seconds('accessTokenSeconds'),
  };

  if (problems.length > 0) throw new LocalConfigError(source, problems);
  return {
    region,
    userPoolId,
    clients,
    users,
    adminGroup,
    tokenUse: tokenUse as LocalConfig['tokenUse'],
    accounts,
    roles,
    iamUsers,
    broker,
    bindings,
    tokens,
  };
}

export function issuerUrl(config: Pick<LocalConfig, 'region' | 'userPoolId'>): string {
  return `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
}

export function roleArn(role: Pick<LocalRole, 'account' | 'path' | 'name'>): string {
  return `arn:aws:iam::${role.account}:role${role.path}${role.name}`;
}
