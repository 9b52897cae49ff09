/**
 * Configuration from the environment (README "Configuration"). Every problem is collected and
 * thrown together as one ConfigError: misconfiguration is loud, never a silent fallback.
 */
import type { AwsCredentials, CognitoPool } from '@tessera/broker/aws';
import { ConfigError } from './errors.js';

export interface PoolConfig extends CognitoPool {}

export interface TesseraConfig {
  readonly region: string;
  readonly tables: { readonly bindings: string; readonly audit: string };
  readonly pools: readonly PoolConfig[];
  readonly adminGroup: string;
  /** The AWS account the functions run in (TESSERA_ACCOUNT_ID); IAM GetRole sees only its roles. */
  readonly accountId: string | null;
  /** The broker's credentials are a role session: cap sessions at 3600 s (AWS role chaining). */
  readonly roleChainingCap: boolean;
  readonly cache: { readonly bindingsSeconds: number };
  readonly auditTtlDays: number;
  /** Allowed CORS origins; empty: no CORS headers. */
  readonly corsOrigins: readonly string[];
  /** In-process use (local stack, tests): endpoint overrides. In Lambda the SDK reads AWS_ENDPOINT_URL_*. */
  readonly endpoints?: { readonly sts?: string; readonly dynamodb?: string; readonly iam?: string };
  /** In-process use: credentials for the SDK clients. In Lambda the default provider chain. */
  readonly credentials?: AwsCredentials;
}

const POOL_ID = /^[a-z]{2}(-gov)?-[a-z]+-\d_[A-Za-z0-9]+$/;
const POOL_KEYS = new Set(['userPoolId', 'clientIds', 'tokenUse', 'jwksUri', 'jwks']);

function parsePools(raw: string | undefined, problems: string[]): PoolConfig[] {
  if (!raw) {
    problems.push(
      'TESSERA_POOLS is required: a JSON array of {userPoolId, clientIds, tokenUse?, jwksUri?}',
    );
    return [];
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    problems.push('TESSERA_POOLS is not valid JSON');
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.push('TESSERA_POOLS must be a non-empty JSON array');
    return [];
  }
  const pools: PoolConfig[] = [];
  value.forEach((p: unknown, i) => {
    const at = `TESSERA_POOLS[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) {
      problems.push(`${at} must be an object`);
      return;
    }
    const pool = p as Record<string, unknown>;
    for (const key of Object.keys(pool))
      if (!POOL_KEYS.has(key)) problems.push(`${at}.${key} is not a pool setting`);
    const ok = [problems.length];
    if (typeof pool['userPoolId'] !== 'string' || !POOL_ID.test(pool['userPoolId'])) {
      problems.push(`${at}.userPoolId must be a user pool id like eu-west-1_AbC123`);
    }
    const clientIds = pool['clientIds'];
    if (
      !Array.isArray(clientIds) ||
      clientIds.length === 0 ||
      !clientIds.every((c) => typeof c === 'string' && c)
    ) {
      problems.push(`${at}.clientIds must be a non-empty array of app client ids`);
    }
    const tokenUse = pool['tokenUse'];
    if (tokenUse !== undefined && tokenUse !== null && tokenUse !== 'id' && tokenUse !== 'access') {
      problems.push(`${at}.tokenUse must be "id", "access" or null (either, explicitly)`);
    }
    const jwksUri = pool['jwksUri'];
    if (jwksUri !== undefined) {
      let url: URL | undefined;
      try {
        url = typeof jwksUri === 'string' ? new URL(jwksUri) : undefined;
      } catch {
        url = undefined;
      }
      const loopback = url && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback))) {
        problems.push(`${at}.jwksUri must be an https URL (or http on a loopback address)`);
      }
    }
    if (problems.length !== ok[0]) return;
    pools.push({
      userPoolId: pool['userPoolId'] as string,
      clientIds: clientIds as string[],
      tokenUse: tokenUse as PoolConfig['tokenUse'],
      ...(jwksUri === undefined ? {} : { jwksUri: jwksUri as string }),
      ...(pool['jwks'] === undefined ? {} : { jwks: pool['jwks'] }),
    });
  });
  return pools;
}

function positiveInt(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  problems: string[],
  min = 0,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    problems.push(`${name} must be an integer >= ${min}`);
    return fallback;
  }
  return n;
}

export function loadConfig(env: Record<string, string | undefined>): TesseraConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const v = env[name];
    if (!v) problems.push(`${name} is required`);
    return v ?? '';
  };
  const region = required('AWS_REGION');
  const bindings = required('TESSERA_BINDINGS_TABLE');
  const audit = required('TESSERA_AUDIT_TABLE');
  const pools = parsePools(env['TESSERA_POOLS'], problems);
  const adminGroup = env['TESSERA_ADMIN_GROUP'] || 'tessera-admins';
  const accountId = env['TESSERA_ACCOUNT_ID'] || null;
  if (accountId !== null && !/^\d{12}$/.test(accountId)) {
    problems.push('TESSERA_ACCOUNT_ID must be a 12-digit AWS account id');
  }
  let roleChainingCap = true;
  const chaining = env['TESSERA_ROLE_CHAINING'];
  if (chaining !== undefined && chaining !== '') {
    if (chaining !== 'true' && chaining !== 'false')
      problems.push('TESSERA_ROLE_CHAINING must be true or false');
    roleChainingCap = chaining !== 'false';
  }
  const auditTtlDays = positiveInt(env, 'TESSERA_AUDIT_TTL_DAYS', 365, problems, 1);
  const bindingsSeconds = positiveInt(env, 'TESSERA_BINDINGS_CACHE_SECONDS', 30, problems, 0);
  const corsOrigins = (env['TESSERA_CORS_ORIGINS'] ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin === '*') problems.push('TESSERA_CORS_ORIGINS must list origins, not *');
    else {
      try {
        new URL(origin);
      } catch {
        problems.push(`TESSERA_CORS_ORIGINS: ${origin} is not an origin`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    tables: { bindings, audit },
    pools,
    adminGroup,
    accountId,
    roleChainingCap,
    cache: { bindingsSeconds },
    auditTtlDays,
    corsOrigins,
  };
}
