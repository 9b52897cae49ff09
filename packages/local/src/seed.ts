/**
 * Seed bindings: on start, each binding of the config that the store does not hold yet is parsed
 * by the broker (`checkBinding`, the same validation the admin API applies), given the role's
 * MaxSessionDuration read with the broker's IAM inspector (GetRole against the local IAM), and
 * written with the store's conditional create. Existing bindings are left alone (a restart, or an
 * admin's edit, wins over the seed).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { checkBinding, type RoleFacts, type RoleInspector } from '@tessera/broker';
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
    let facts: RoleFacts;
    if (roleAccount === deps.brokerAccount) {
      facts = await deps.inspector.inspect(roleArn);
    } else {
      // A role in another account is not visible to the broker's IAM (as in AWS): its
      // MaxSessionDuration and description are stated by the partner's administrator (here, the
      // config) and its permission policies are unknown.
      const role = config.roles.find(
        (r) => `arn:aws:iam::${r.account}:role${r.path}${r.name}` === roleArn,
      );
      facts = {
        maxSessionDuration: role?.maxSessionDuration ?? 3600,
        description: role?.description ?? '',
        permissionPolicies: null,
      };
    }
    const checked = checkBinding({
      ...raw,
      version: 1,
      updatedAt: deps.now().toISOString(),
      updatedBy: 'tessera-local seed',
      roleMaxSessionDuration: facts.maxSessionDuration,
      roleDescription: facts.description,
      permissionPolicies: facts.permissionPolicies,
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
