/**
 * Seed bindings: on start, each binding of the config that the store does not hold yet is parsed
 * by the broker (`checkBinding`, the same validation the admin API applies), given the role's
 * MaxSessionDuration read with the broker's IAM inspector (GetRole against the local IAM), and
 * written with the store's conditional create. Existing bindings are left alone (a restart, or an
 * admin's edit, wins over the seed).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkBinding, type RoleInspector } from '@tessera/broker';
import { DynamoBindingStore } from '@tessera/broker/aws';
import { LocalStackError } from './errors.js';
import type { LocalConfig } from './types.js';

export interface SeedResult {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

export async function seedBindings(
  config: LocalConfig,
  deps: {
    client: DynamoDBClient;
    tableName: string;
    inspector: RoleInspector;
    /** The broker's account: IAM GetRole only sees roles of the caller's own account. */
    brokerAccount: string;
    now: () => Date;
  },
): Promise<SeedResult> {
  const store = new DynamoBindingStore({
    client: deps.client,
    tableName: deps.tableName,
    cacheSeconds: 0,
  });
  const created: string[] = [];
  const existing: string[] = [];
  for (const raw of config.bindings) {
    const id = String(raw.id);
    const issuer = String(raw.issuer);
    if (await store.get(issuer, id)) {
      existing.push(id);
      continue;
    }
    const roleArn = String(raw.roleArn);
    const roleAccount = roleArn.split(':')[4];
    let roleMaxSessionDuration: number;
    if (roleAccount === deps.brokerAccount) {
      roleMaxSessionDuration = await deps.inspector.maxSessionDuration(roleArn);
    } else {
      // A role in another account is not visible to the broker's IAM GetRole (as in AWS); the
      // partner account's administrator states its MaxSessionDuration: here, the config.
      const role = config.roles.find(
        (r) => `arn:aws:iam::${r.account}:role${r.path}${r.name}` === roleArn,
      );
      roleMaxSessionDuration = role?.maxSessionDuration ?? 3600;
    }
    const checked = checkBinding({
      ...raw,
      version: 1,
      updatedAt: deps.now().toISOString(),
      updatedBy: 'tessera-local seed',
      roleMaxSessionDuration,
    });
    if (!checked.ok) {
      const problems = checked.problems.map((p) => `  - ${p.pointer}: ${p.code}: ${p.message}`);
      throw new LocalStackError(
        'SeedFailed',
        `seed binding ${id} is invalid:\n${problems.join('\n')}`,
      );
    }
    await store.put(checked.value.binding);
    created.push(id);
  }
  return { created, existing };
}
