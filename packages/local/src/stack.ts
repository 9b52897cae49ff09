/**
 * The whole local stack in one process, loopback only. Start order: state dir → config → secrets
 * and keys → store → issuer, STS, IAM, S3 → the broker's own role session (as Lambda gives it) →
 * seed bindings → API over the real handlers → `.tessera/local.json`. `stop()` closes every
 * server and removes local.json.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IamRoleInspector } from '@tessera/broker/aws-iam';
import {
  bindingStoreOf,
  createAdminApp,
  createApp,
  createAuditApp,
  createLogger,
  dynamoClientOf,
  loadConfig,
  routes,
} from '@tessera/functions';
import { type ApiRoute, type LambdaHandler, startApi } from './api.js';
import { startCloudTrail } from './cloudtrail/server.js';
import { LocalTrail } from './cloudtrail/trail.js';
import {
  configPathFor,
  issuerUrl,
  loadLocalConfig,
  localTargetRoles,
  resolveHome,
  roleArn,
} from './config.js';
import { LocalStackError } from './errors.js';
import { startFederation } from './federation/server.js';
import { Directory } from './iam/directory.js';
import { startIam } from './iam/server.js';
import { KeyRing } from './issuer/keys.js';
import { UserPool } from './issuer/pool.js';
import { startIssuer } from './issuer/server.js';
import { localOidc } from './oidc.js';
import { DEFAULT_PORTAL_DIR, followApiPort, portalSite } from './portal.js';
import { compileBuckets } from './s3/buckets.js';
import { startS3 } from './s3/server.js';
import { ObjectStore } from './s3/storage.js';
import { seedBindings } from './seed.js';
import { loadOrCreateSecrets } from './state.js';
import { connectStore, type LocalStore, startStore } from './store.js';
import { assumeRoleAsService } from './sts/assume-role.js';
import { startSts } from './sts/server.js';
import { type RoleSession, SessionRegistry } from './sts/sessions.js';
import type { LocalConfig, StackInfo } from './types.js';

export type PortName =
  | 'api'
  | 'issuer'
  | 'sts'
  | 'iam'
  | 'dynamodb'
  | 's3'
  | 'cloudtrail'
  | 'federation';

export const DEFAULT_PORTS: Readonly<Record<PortName, number>> = {
  api: 8787,
  issuer: 8788,
  sts: 8789,
  iam: 8790,
  dynamodb: 8791,
  s3: 8792,
  cloudtrail: 8793,
  federation: 8794,
};

export interface StartStackOptions {
  /** State directory; default `TESSERA_HOME` or `<repo>/.tessera`. */
  readonly home?: string;
  /** One number for every server (0: all random, for tests) or per server. Default: TESSERA_PORT / 8787.., the non-API ones fall back to a random port when busy. */
  readonly ports?: number | Partial<Record<PortName, number>>;
  /** A validated config instead of the config file. */
  readonly config?: LocalConfig;
  /** Environment to read TESSERA_HOME / TESSERA_PORT from (default process.env). */
  readonly env?: Record<string, string | undefined>;
  /** Where progress lines go; default silent. */
  readonly log?: (line: string) => void;
  /** Write `<home>/local.json` (default true). */
  readonly writeInfo?: boolean;
  /** The local STS/IAM clock (ms since epoch); tests move it to expire sessions. Default Date.now. */
  readonly clock?: () => number;
  /**
   * A DynamoDB-compatible endpoint already running (another process's dynalite, DynamoDB Local)
   * instead of the embedded store; the stack creates its tables there. Default: embedded.
   */
  readonly storeEndpoint?: string;
  /** Told the operation (`DynamoDB_20120810.Query`, ...) of every request the embedded store receives. */
  readonly onStoreRequest?: (operation: string) => void;
  /** The built portal served at `/`; default `packages/portal/dist`. */
  readonly portalDir?: string;
  /**
   * Something between the broker and a service it calls (fault-injection tests put a proxy there):
   * given the service's URL, the URL the broker's own clients use instead — STS, the store, and the
   * pool's JWKS. Seeding and every other client keep the service's own URL.
   */
  readonly brokerRoutes?: Partial<Record<BrokerRoute, (url: string) => string | Promise<string>>>;
}

/** The services whose traffic from the broker `brokerRoutes` may redirect. */
export type BrokerRoute = 'sts' | 'dynamodb' | 'jwks';

export interface LocalStack {
  readonly info: StackInfo;
  readonly home: string;
  readonly config: LocalConfig;
  /** The issuer's user pool (mint tokens in tests without HTTP). */
  readonly pool: UserPool;
  readonly keys: KeyRing;
  /** The broker's current role-session credentials. */
  brokerCredentials(): Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
  }>;
  stop(): Promise<void>;
}

const BROKER_SESSION_SECONDS = 3600;
const REFRESH_BEFORE_MS = 5 * 60 * 1000;
/** Per-attempt limits locally (Lambda's defaults are 1,500 and 1,000 ms; see the env below). */
const LOCAL_STS_TIMEOUT_MS = 5000;
const LOCAL_STORE_TIMEOUT_MS = 3000;

function portNumber(raw: string, what: string): number {
  const port = Number(raw);
  if (raw === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LocalStackError(
      'InvalidConfig',
      `${what} must be a port number (0-65535), got "${raw}"`,
    );
  }
  return port;
}

/** `TESSERA_PORTS=api=8787,sts=9000` (or one number for every server). */
function portsFromEnv(raw: string | undefined): Partial<Record<PortName, number>> {
  if (raw === undefined || raw === '') return {};
  if (/^\d+$/.test(raw)) {
    const port = portNumber(raw, 'TESSERA_PORTS');
    return Object.fromEntries(Object.keys(DEFAULT_PORTS).map((n) => [n, port]));
  }
  const out: Partial<Record<PortName, number>> = {};
  for (const part of raw.split(',')) {
    const [name, value] = part.split('=').map((x) => x.trim());
    if (!name || !(name in DEFAULT_PORTS) || value === undefined) {
      throw new LocalStackError(
        'InvalidConfig',
        `TESSERA_PORTS must be <server>=<port>,... with servers ${Object.keys(DEFAULT_PORTS).join(', ')}; got "${part}"`,
      );
    }
    out[name as PortName] = portNumber(value, `TESSERA_PORTS ${name}`);
  }
  return out;
}

/**
 * Each server's port: `options.ports`, else `TESSERA_PORTS`, else (the API) `TESSERA_PORT`, else the
 * config file's `ports`, else the default. A port chosen by the user that is busy is an error; a
 * default one moves to a free port (local.json says where), except the API's, which users type.
 */
function portsFor(
  options: StartStackOptions,
  env: Record<string, string | undefined>,
  config: LocalConfig,
): Record<PortName, { port: number; fallbackToRandom: boolean }> {
  const given = options.ports;
  const fromEnv = portsFromEnv(env.TESSERA_PORTS);
  const out = {} as Record<PortName, { port: number; fallbackToRandom: boolean }>;
  for (const name of Object.keys(DEFAULT_PORTS) as PortName[]) {
    const chosen =
      typeof given === 'number'
        ? given
        : (given?.[name] ??
          fromEnv[name] ??
          (name === 'api' && env.TESSERA_PORT !== undefined && env.TESSERA_PORT !== ''
            ? portNumber(env.TESSERA_PORT, 'TESSERA_PORT')
            : undefined) ??
          config.ports[name]);
    out[name] = {
      port: chosen ?? DEFAULT_PORTS[name],
      fallbackToRandom: name !== 'api' && chosen === undefined,
    };
  }
  return out;
}

/** Two stacks on one state dir would fight over the store's LevelDB lock: refuse, clearly. */
function refuseIfRunning(home: string): void {
  let pid: unknown;
  try {
    pid = (JSON.parse(readFileSync(join(home, 'local.json'), 'utf8')) as { pid?: unknown }).pid;
  } catch {
    return; // no stack described here (or a torn file): go ahead
  }
  if (typeof pid !== 'number' || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale local.json from a stack that did not stop cleanly
  }
  throw new LocalStackError(
    'StartFailed',
    `another local stack (pid ${pid}) is running with state in ${home}; stop it, or use another TESSERA_HOME`,
  );
}

/** The trail reader role the cross-account template creates, by the same name locally. */
const TRAIL_READER_ROLE = 'tessera-trail-reader';

/**
 * Where the trail routes search: the broker's account with its own credentials, each other account
 * through its trail reader role when it has one (else the answer names it as not searchable).
 */
function trailAccounts(config: LocalConfig, directory: Directory): Record<string, string> {
  const accounts: Record<string, string> = { [config.broker.account]: 'self' };
  for (const role of directory.allRoles()) {
    if (role.name === TRAIL_READER_ROLE && role.account !== config.broker.account) {
      accounts[role.account] = role.arn;
    }
  }
  return accounts;
}

export async function startStack(options: StartStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const home = options.home ?? resolveHome(env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  refuseIfRunning(home);
  const config = options.config ?? loadLocalConfig(configPathFor(home));
  const ports = portsFor(options, env, config);
  const secrets = loadOrCreateSecrets(home, config);
  const keys = await KeyRing.open(home);
  const pool = new UserPool(config, secrets.users, keys);
  const directory = new Directory(config);
  directory.persistRolePolicies(join(home, 'iam', 'role-policies.json'));
  const clock = options.clock ?? Date.now;
  const registry = new SessionRegistry(clock);
  for (const u of config.iamUsers) {
    const user = directory.user(u.name);
    const key = secrets.iamUsers[u.name];
    if (user && key) registry.addUser(user, key);
  }

  const started: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
  };
  try {
    const store: LocalStore = options.storeEndpoint
      ? await connectStore(options.storeEndpoint, config.region)
      : await startStore(home, {
          ...ports.dynamodb,
          region: config.region,
          ...(options.onStoreRequest ? { onRequest: options.onStoreRequest } : {}),
        });
    started.push(store);
    const issuer = await startIssuer(pool, keys, ports.issuer);
    started.push(issuer);
    const trail = LocalTrail.open(home);
    started.push({ close: async () => trail.close() });
    const deps = { directory, registry, region: config.region, now: clock, trail };
    let apiUrl = '';
    const oidc = localOidc(home, config, () => apiUrl, new Date(clock()));
    const sts = await startSts({ ...deps, providers: oidc.providers }, ports.sts);
    started.push(sts);
    const iam = await startIam(deps, ports.iam);
    started.push(iam);
    const buckets = compileBuckets(config);
    const objects = new ObjectStore(join(home, 's3'), [...buckets.keys()]);
    const s3 = await startS3({ ...deps, buckets, store: objects }, ports.s3);
    started.push(s3);
    const cloudtrail = await startCloudTrail(deps, ports.cloudtrail);
    started.push(cloudtrail);
    const federation = await startFederation({ registry, now: clock }, ports.federation);
    started.push(federation);
    log(
      `store ${store.url}, issuer ${issuer.url}, sts ${sts.url}, iam ${iam.url}, s3 ${s3.url}, cloudtrail ${cloudtrail.url}, federation ${federation.url}`,
    );

    // The broker's own identity: a role session of its execution role, as Lambda provides it.
    const brokerRole =
      directory.roleByArn(
        roleArn({ account: config.broker.account, path: '/', name: config.broker.role }),
      ) ??
      directory
        .allRoles()
        .find((r) => r.name === config.broker.role && r.account === config.broker.account);
    if (!brokerRole)
      throw new LocalStackError('InvalidConfig', `broker role ${config.broker.role} not found`);
    let current: RoleSession | undefined;
    const brokerCredentials = async () => {
      if (!current || current.expiration.getTime() - clock() < REFRESH_BEFORE_MS) {
        current = assumeRoleAsService(
          brokerRole,
          'lambda.amazonaws.com',
          'tessera-local',
          BROKER_SESSION_SECONDS,
          clock(),
          registry,
        );
      }
      return {
        accessKeyId: current.accessKeyId,
        secretAccessKey: current.secretAccessKey,
        sessionToken: current.sessionToken,
        expiration: current.expiration,
      };
    };
    await brokerCredentials();

    const dynamo = store.client();
    const inspector = new IamRoleInspector({
      accountId: config.broker.account,
      region: config.region,
      endpoint: iam.url,
      credentials: brokerCredentials,
    });
    const seeded = await seedBindings(config, {
      client: dynamo,
      tableName: store.tables.bindings,
      inspector,
      brokerAccount: config.broker.account,
      now: () => new Date(),
    });
    log(`bindings: ${seeded.created.length} seeded, ${seeded.existing.length} already stored`);

    const via = async (route: BrokerRoute, url: string) =>
      (await options.brokerRoutes?.[route]?.(url)) ?? url;
    const functionsEnv: Record<string, string> = {
      AWS_REGION: config.region,
      TESSERA_BINDINGS_TABLE: store.tables.bindings,
      TESSERA_AUDIT_TABLE: store.tables.audit,
      TESSERA_SUBJECTS_TABLE: store.tables.subjects,
      TESSERA_POOLS: JSON.stringify([
        {
          userPoolId: config.userPoolId,
          clientIds: config.clients.map((c) => c.clientId),
          tokenUse: config.tokenUse,
          jwksUri: await via('jwks', issuer.jwksUrl),
          // Hydrated at init: no fetch on the warm path (and aws-jwt-verify's fetcher is https-only).
          jwks: keys.jwks(),
        },
      ]),
      TESSERA_ADMIN_GROUP: config.adminGroup,
      TESSERA_ACCOUNT_ID: config.broker.account,
      TESSERA_ROLE_CHAINING: 'true',
      TESSERA_BINDINGS_CACHE_SECONDS: env.TESSERA_BINDINGS_CACHE_SECONDS ?? '5',
      // Locally STS, IAM, S3 and the API share one event loop, so under load an STS or store attempt
      // waits behind the stack's own work: the per-attempt limits are longer than in Lambda.
      TESSERA_STS_TIMEOUT_MS: env.TESSERA_STS_TIMEOUT_MS ?? String(LOCAL_STS_TIMEOUT_MS),
      TESSERA_STORE_TIMEOUT_MS: env.TESSERA_STORE_TIMEOUT_MS ?? String(LOCAL_STORE_TIMEOUT_MS),
      // The kill switch in the partner account: the role its cross-account template creates.
      TESSERA_REVOCATION_WRITER_ROLE: 'tessera-revocation-writer',
      // Rate limits are off locally unless asked for (tests, demos and load runs come from one IP).
      TESSERA_RATE_LIMIT_PER_IP: env.TESSERA_RATE_LIMIT_PER_IP ?? '0',
      TESSERA_RATE_LIMIT_PER_SUBJECT: env.TESSERA_RATE_LIMIT_PER_SUBJECT ?? '0',
      ...oidc.env,
      TESSERA_ACCOUNTS: JSON.stringify(
        Object.fromEntries(config.accounts.map((a) => [a.id, a.name])),
      ),
      TESSERA_CUSTOM_ATTRIBUTES: JSON.stringify(config.customAttributes),
      TESSERA_TARGET_ROLES: JSON.stringify(localTargetRoles(config).allowed),
      TESSERA_BROKER_ROLE_ARN: localTargetRoles(config).brokerRoleArn,
      TESSERA_FEDERATION_ENDPOINT: `${federation.url}/federation`,
      TESSERA_TRAIL_ACCOUNTS: JSON.stringify(trailAccounts(config, directory)),
      // The local CloudTrail's LookupEvents answers S3 object (data) events too.
      TESSERA_TRAIL_DATA_EVENTS: 'lookup',
      ...(config.portalUrl ? { TESSERA_PORTAL_URL: config.portalUrl } : {}),
    };
    const appConfig = {
      ...loadConfig(functionsEnv),
      endpoints: {
        sts: await via('sts', sts.url),
        dynamodb: await via('dynamodb', store.url),
        iam: iam.url,
        cloudtrail: cloudtrail.url,
      },
      credentials: brokerCredentials,
    };
    // The vend functions' binding cache, shared so a revocation written by the admin routes (in
    // this same process) drops it at once, as the revoking call's answer says.
    const vendBindings = bindingStoreOf(appConfig, createLogger(), dynamoClientOf(appConfig), {
      cacheSeconds: appConfig.cache.bindingsSeconds,
    });
    const app = {
      ...createApp(appConfig, { signingKeys: oidc.keys, bindings: vendBindings }),
      ...createAdminApp(appConfig, { onPoolChanged: (issuer) => vendBindings.refresh(issuer) }),
      ...createAuditApp(appConfig),
    } as unknown as Record<string, LambdaHandler>;
    const apiRoutes: ApiRoute[] = routes.map((r) => {
      const handler = app[r.handler as string];
      if (typeof handler !== 'function') {
        throw new LocalStackError(
          'StartFailed',
          `@tessera/functions route ${r.method} ${r.path} names handler ${String(r.handler)}, which createApp does not return`,
        );
      }
      return { method: r.method, path: r.path, functionName: String(r.function), handler };
    });
    const portalConfig = () => ({
      api: api.url,
      region: config.region,
      issuer: issuerUrl(config),
      clientId: config.clients.find((c) => c.name === 'portal')!.clientId,
      cognitoIdp: issuer.url,
      hostedUi: issuer.url,
      tokenUse: config.tokenUse ?? 'id',
      adminGroup: config.adminGroup,
    });
    const api = await startApi(apiRoutes, {
      ...ports.api,
      log,
      fallback: portalSite(options.portalDir ?? DEFAULT_PORTAL_DIR, portalConfig),
    });
    started.push(api);
    apiUrl = api.url;
    pool.setCallbackUrls('portal', followApiPort(pool.callbackUrls('portal'), api.port));

    const cognitoIdp = issuer.url;
    const info: StackInfo = {
      api: api.url,
      issuer: {
        url: issuerUrl(config),
        userPoolId: config.userPoolId,
        jwks: issuer.jwksUrl,
        clients: Object.fromEntries(config.clients.map((c) => [c.name, c.clientId])),
        callbackUrls: Object.fromEntries(
          config.clients.map((c) => [c.name, [...pool.callbackUrls(c.name)]]),
        ),
        tokenUse: config.tokenUse,
      },
      cognitoIdp,
      oauth2: issuer.url,
      sts: sts.url,
      iam: iam.url,
      cloudtrail: cloudtrail.url,
      federation: `${federation.url}/federation`,
      dynamodb: store.url,
      s3: s3.url,
      buckets: config.buckets.map((b) => b.name),
      region: config.region,
      users: config.users.map((u) => ({
        username: u.username,
        password: secrets.users[u.username]!.password,
        groups: [...u.groups],
      })),
      bindings: config.bindings.map((b) => String(b.id)),
      iamUsers: config.iamUsers.map((u) => ({
        name: u.name,
        arn: `arn:aws:iam::${u.account}:user/${u.name}`,
        accessKeyId: secrets.iamUsers[u.name]!.accessKeyId,
        secretAccessKey: secrets.iamUsers[u.name]!.secretAccessKey,
      })),
      pid: process.pid,
      home,
    };
    const infoPath = join(home, 'local.json');
    if (options.writeInfo !== false) {
      writeFileSync(infoPath, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    }

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await closeAll();
        dynamo.destroy();
        if (options.writeInfo !== false) {
          try {
            const onDisk = JSON.parse(readFileSync(infoPath, 'utf8')) as {
              pid?: number;
              api?: string;
            };
            if (onDisk.pid === info.pid && onDisk.api === info.api)
              rmSync(infoPath, { force: true });
          } catch {
            // already gone
          }
        }
      })();
      return stopping;
    };
    return { info, home, config, pool, keys, brokerCredentials, stop };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
