/**
 * The execution roles and the example target roles, deployed from the documents of
 * `infra/permissions.ts` and `infra/target-roles.ts` — the same ones `npm run synth` writes out.
 * No managed policies on the execution roles: even logging is granted per function.
 */
import type { Stage } from './config.js';
import { ROLE_KINDS, type RoleKind } from './functions.js';
import { roleName } from './naming.js';
import { lambdaTrustPolicy, rolePolicy } from './permissions.js';
import { exampleRoles } from './target-roles.js';

const DESCRIPTIONS: Readonly<Record<RoleKind, string>> = {
  broker:
    'Tessera broker: reads bindings, assumes the configured target roles, writes audit events',
  reader: 'Tessera roles listing and simulate: reads bindings, writes audit events',
  admin:
    'Tessera admin: writes bindings, reads target roles (MaxSessionDuration, policies), reads audit',
  auditor: 'Tessera audit queries: reads the audit log and CloudTrail (the trails of grants)',
  basic: 'Tessera health check: logs only',
};

/** Creates the execution roles, named explicitly so the policies naming them are known before deploy. */
export function createExecutionRoles(stage: Stage): Record<RoleKind, aws.iam.Role> {
  const entries = ROLE_KINDS.map((kind) => {
    const role = new aws.iam.Role(`${capitalize(kind)}Role`, {
      name: roleName(stage, kind),
      description: DESCRIPTIONS[kind],
      assumeRolePolicy: JSON.stringify(lambdaTrustPolicy()),
      inlinePolicies: [{ name: 'tessera', policy: JSON.stringify(rolePolicy(stage, kind)) }],
      managedPolicyArns: [],
    });
    return [kind, role] as const;
  });
  return Object.fromEntries(entries) as Record<RoleKind, aws.iam.Role>;
}

/**
 * The example target roles for jobs 1 and 2, when configured. IAM checks that a trust policy's
 * principal exists, so they are created after the broker role (or the OIDC provider) they trust.
 * A trust policy naming `{{UserPoolId}}` gets the created pool's id.
 */
export function createExampleRoles(
  stage: Stage,
  brokerRole: aws.iam.Role,
  userPoolId: $util.Input<string>,
  oidcProvider: aws.iam.OpenIdConnectProvider | undefined,
): void {
  for (const example of exampleRoles(stage)) {
    const trust = JSON.stringify(example.trustPolicy);
    const federated = trust.includes(':oidc-provider/');
    const name = `Example${example.key.split('-').map(capitalize).join('')}Role`;
    new aws.iam.Role(
      name,
      {
        name: example.name,
        path: example.path,
        description: example.description,
        maxSessionDuration: example.maxSessionDuration,
        assumeRolePolicy: $util
          .output(userPoolId)
          .apply((id: string) => trust.replaceAll('{{UserPoolId}}', id)),
        inlinePolicies:
          example.inlinePolicy === null
            ? []
            : [{ name: 'tessera-example', policy: JSON.stringify(example.inlinePolicy) }],
        managedPolicyArns: [...example.managedPolicyArns],
      },
      { dependsOn: federated && oidcProvider ? [oidcProvider] : [brokerRole] },
    );
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
