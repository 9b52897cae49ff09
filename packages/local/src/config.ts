/**
 * The local config file: `packages/local/tessera.local.json` (committed default), replaced as a
 * whole by `<home>/config.json` when that exists. Validated loudly against its schema
 * (config-schema.ts): the stack refuses to start with the list of every problem, each with its
 * JSON Pointer; nothing is defaulted silently except documented optional fields.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { notTargetable, parseWith, type TargetRoles } from '@tessera/broker';
import { crossChecks, type LocalConfigProblem, localConfigSchema } from './config-schema.js';
import { LocalConfigError } from './errors.js';
import type { LocalConfig, LocalRole } from './types.js';

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
    throw new LocalConfigError(path, [
      {
        code: 'InvalidJson',
        pointer: '',
        message: `cannot read it as JSON: ${(err as Error).message}`,
      },
    ]);
  }
  return parseLocalConfig(raw, path);
}

/** Validates an already parsed document (its schema, then `crossChecks`). Throws LocalConfigError listing every problem. */
export function parseLocalConfig(raw: unknown, source = 'config'): LocalConfig {
  const parsed = parseWith(localConfigSchema, raw);
  const problems = [
    ...(parsed.ok ? [] : (parsed.problems as LocalConfigProblem[])),
    ...crossChecks(raw),
  ];
  if (parsed.ok) problems.push(...seedTargetChecks(parsed.value));
  if (!parsed.ok || problems.length > 0) throw new LocalConfigError(source, problems);
  return parsed.value;
}

/**
 * The roles bindings may name (TESSERA_TARGET_ROLES) and the broker's own role: `targetRoles`, else
 * every role of the config but the broker's.
 */
export function localTargetRoles(config: LocalConfig): TargetRoles {
  const broker = config.roles.find(
    (r) => r.name === config.broker.role && r.account === config.broker.account,
  );
  const brokerRoleArn = roleArn(
    broker ?? { account: config.broker.account, path: '/', name: config.broker.role },
  );
  const allowed = config.targetRoles ?? {
    arns: config.roles.map((r) => roleArn(r)).filter((arn) => arn !== brokerRoleArn),
  };
  return { brokerRoleArn, allowed };
}

/** Seed bindings are written as an administrator's would be: only for roles Tessera may assume. */
function seedTargetChecks(config: LocalConfig): LocalConfigProblem[] {
  const targets = localTargetRoles(config);
  return config.bindings.flatMap((b, i) => {
    const arn = b['roleArn'];
    if (typeof arn !== 'string' || notTargetable(targets, arn) === undefined) return [];
    return [
      {
        code: 'RoleNotTargetable' as const,
        pointer: `/bindings/${i}/roleArn`,
        message: `${arn} is the broker's own role or not among /targetRoles`,
      },
    ];
  });
}

export function issuerUrl(config: Pick<LocalConfig, 'region' | 'userPoolId'>): string {
  return `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`;
}

export function roleArn(role: Pick<LocalRole, 'account' | 'path' | 'name'>): string {
  return `arn:aws:iam::${role.account}:role${role.path}${role.name}`;
}
