/**
 * The IAM documents the infra deploys for one stage, as files: what `npm run synth` writes to
 * `dist/infra/` and what the least-privilege tests evaluate. Pure: returns path -> JSON value.
 */
import type { Stage } from './config.js';
import { ROLE_KINDS } from './functions.js';
import { brokerRoleArn } from './naming.js';
import { rolePolicy, targetsSummary } from './permissions.js';
import {
  crossAccountTemplate,
  crossAccountWebIdentityTemplate,
  exampleRoles,
  targetTrustPolicy,
} from './target-roles.js';
import { dataEventsTrailOf, logBucketPolicy } from './trail.js';
import { signingKeyPolicy, webIdentityOf } from './web-identity.js';

export const CROSS_ACCOUNT_TEMPLATE = 'cross-account-role.template.json';
export const CROSS_ACCOUNT_WEB_IDENTITY_TEMPLATE = 'cross-account-web-identity-role.template.json';

export function synthesize(stage: Stage): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const kind of ROLE_KINDS) files.set(`${kind}-role-policy.json`, rolePolicy(stage, kind));
  files.set('targets.json', targetsSummary(stage));
  for (const role of exampleRoles(stage)) files.set(`trust/${role.key}.json`, role.trustPolicy);
  // The in-account trust policy every other same-account target role should carry.
  files.set('trust/same-account-target.json', targetTrustPolicy(brokerRoleArn(stage), null));
  files.set(CROSS_ACCOUNT_TEMPLATE, crossAccountTemplate(stage));
  const webIdentity = webIdentityOf(stage);
  if (webIdentity !== null) {
    files.set('web-identity-key-policy.json', signingKeyPolicy(stage, brokerRoleArn(stage)));
    files.set(
      CROSS_ACCOUNT_WEB_IDENTITY_TEMPLATE,
      crossAccountWebIdentityTemplate(stage, webIdentity),
    );
  }
  const dataEvents = dataEventsTrailOf(stage);
  if (dataEvents !== null) {
    files.set('data-events-log-bucket-policy.json', logBucketPolicy(stage, dataEvents));
  }
  return files;
}
