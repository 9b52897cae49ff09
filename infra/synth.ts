/**
 * The IAM documents the infra deploys for one stage, as files: what `npm run synth` writes to
 * `dist/infra/` and what the least-privilege tests evaluate. Pure: returns path -> JSON value.
 */
import type { Stage } from './config.js';
import { ROLE_KINDS } from './functions.js';
import { brokerRoleArn } from './naming.js';
import { rolePolicy, targetsSummary } from './permissions.js';
import { crossAccountTemplate, exampleRoles, targetTrustPolicy } from './target-roles.js';

export const CROSS_ACCOUNT_TEMPLATE = 'cross-account-role.template.json';

export function synthesize(stage: Stage): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const kind of ROLE_KINDS) files.set(`${kind}-role-policy.json`, rolePolicy(stage, kind));
  files.set('targets.json', targetsSummary(stage));
  for (const role of exampleRoles(stage)) files.set(`trust/${role.key}.json`, role.trustPolicy);
  // The in-account trust policy every other same-account target role should carry.
  files.set('trust/same-account-target.json', targetTrustPolicy(brokerRoleArn(stage), null));
  files.set(CROSS_ACCOUNT_TEMPLATE, crossAccountTemplate(stage));
  return files;
}
