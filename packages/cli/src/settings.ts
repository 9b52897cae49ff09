/**
 * Where the CLI finds its API and user pool: `--api` / `TESSERA_API` for the API, then the
 * profile in its config file, then the running local stack's `local.json` (in `TESSERA_HOME`, or
 * `./.tessera/` of the current directory), so `tessera login` works right after `npm start`.
 * Also where it keeps its files (env-paths: the user's config and cache directories).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PoolConfig } from '@tessera/client';
import envPaths from 'env-paths';
import { CliError } from './errors.js';

export interface ProfileConfig {
  readonly api?: string;
  readonly issuer?: string;
  readonly region?: string;
  readonly clientId?: string;
  readonly hostedUi?: string;
  readonly cognitoIdp?: string;
  readonly tokenUse?: 'id' | 'access';
  readonly callbackUrls?: readonly string[];
}

export interface Target {
  readonly profile: string;
  readonly api: string;
  readonly pool: PoolConfig;
  /** Registered loopback redirect URIs of the CLI's app client. */
  readonly callbackUrls: readonly string[];
  readonly region: string;
  /** Where the settings came from. */
  readonly source: 'config' | 'local';
  /** The local stack's own STS endpoint, when the target is the local stack. */
  readonly localSts?: string;
}

export interface Dirs {
  readonly config: string;
  readonly cache: string;
}

export function dirs(): Dirs {
  const paths = envPaths('tessera', { suffix: '' });
  return { config: paths.config, cache: paths.cache };
}

export function configFile(): string {
  return join(dirs().config, 'config.json');
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliError('FileUnreadable', `${path} is not readable JSON: ${(err as Error).message}`);
  }
}

function profileFromConfig(profile: string): ProfileConfig | undefined {
  const raw = readJson(configFile()) as { profiles?: Record<string, ProfileConfig> } | undefined;
  return raw?.profiles?.[profile];
}

interface LocalInfo {
  api: string;
  region: string;
  cognitoIdp: string;
  oauth2: string;
  sts: string;
  issuer: {
    url: string;
    clients: Record<string, string>;
    callbackUrls?: Record<string, string[]>;
    tokenUse?: 'id' | 'access' | null;
  };
}

export function localInfoPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.TESSERA_HOME
    ? join(resolve(env.TESSERA_HOME), 'local.json')
    : join(process.cwd(), '.tessera', 'local.json');
}

function fromLocal(info: LocalInfo): ProfileConfig & { sts: string } {
  return {
    api: info.api,
    issuer: info.issuer.url,
    region: info.region,
    clientId: info.issuer.clients.cli ?? Object.values(info.issuer.clients)[0] ?? '',
    hostedUi: info.oauth2,
    cognitoIdp: info.cognitoIdp,
    tokenUse: info.issuer.tokenUse === 'access' ? 'access' : 'id',
    callbackUrls: info.issuer.callbackUrls?.cli ?? [],
    sts: info.sts,
  };
}

export function resolveTarget(
  options: { api?: string | undefined; profile?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Target {
  const profile = options.profile ?? env.TESSERA_PROFILE ?? 'default';
  const configured = profileFromConfig(profile);
  const local = configured?.issuer
    ? undefined
    : (readJson(localInfoPath(env)) as LocalInfo | undefined);
  const base = configured?.issuer ? configured : local ? fromLocal(local) : undefined;
  const api = options.api ?? env.TESSERA_API ?? configured?.api ?? base?.api;
  if (!base || !api || !base.issuer || !base.clientId || !base.region) {
    throw new CliError(
      'NoTarget',
      `no Tessera API and user pool for profile "${profile}"`,
      `start the local stack (tessera dev, or npm start) or describe the deployment in ${configFile()}`,
    );
  }
  return {
    profile,
    api,
    pool: {
      issuer: base.issuer,
      region: base.region,
      clientId: base.clientId,
      tokenUse: base.tokenUse ?? 'access',
      ...(base.hostedUi ? { hostedUi: base.hostedUi } : {}),
      ...(base.cognitoIdp ? { cognitoIdp: base.cognitoIdp } : {}),
    },
    callbackUrls: base.callbackUrls ?? [],
    region: base.region,
    source: configured?.issuer ? 'config' : 'local',
    ...(local && !configured?.issuer ? { localSts: local.sts } : {}),
  };
}

/** The storage key of a profile's session: one per (profile, pool, client). */
export function sessionKey(target: Target): string {
  const pool = createHash('sha256')
    .update(`${target.pool.issuer}\n${target.pool.clientId}`)
    .digest('hex')
    .slice(0, 12);
  return `session-${target.profile.replace(/[^A-Za-z0-9_-]/g, '_')}-${pool}`;
}
