/**
 * The whole app for one stage: what `sst.config.ts` runs. Validates the configuration first, so a
 * bad `tessera.config.ts` fails the deploy with a list of problems before any resource is touched.
 */
import config from '../tessera.config.js';
import { createApi } from './api.js';
import { type Auth, createAuth } from './auth.js';
import { resolveStage, type Stage, type TesseraConfig } from './config.js';
import { brokerRoleArn, trailReaderRoleArn } from './naming.js';
import { otherTargetAccounts, REVOCATION_WRITER_ROLE, trailAccounts } from './permissions.js';
import { createPortalSite, writePortalConfig } from './portal.js';
import { createExampleRoles, createExecutionRoles } from './roles.js';
import { createTables, type Tables } from './tables.js';
import { dataEventsSetting } from './trail.js';
import { createDataEventsTrail } from './trail-deploy.js';
import { createWebIdentity } from './web-identity-deploy.js';

export function deploy(stageName: string, tesseraConfig: TesseraConfig = config) {
  const stage = resolveStage(tesseraConfig, stageName);
  const tables = createTables(stage);
  const portal = createPortalSite();
  const corsOrigins = [...stage.portal.origins, portal.url];
  const auth = createAuth(stage, portal.url);
  const roles = createExecutionRoles(stage);
  const webIdentity = createWebIdentity(stage, roles.broker);
  createExampleRoles(stage, roles.broker, auth.userPoolId, webIdentity?.provider);
  createDataEventsTrail(stage);
  const api = createApi(stage, {
    roleArns: {
      broker: roles.broker.arn,
      reader: roles.reader.arn,
      admin: roles.admin.arn,
      auditor: roles.auditor.arn,
      basic: roles.basic.arn,
    },
    corsOrigins,
    environment: { ...environment(stage, tables, auth, corsOrigins), ...webIdentity?.environment },
  });
  writePortalConfig(stage, portal, {
    api: api.url,
    userPoolId: auth.userPoolId,
    clientId: auth.portalClientId,
  });
  return {
    api: api.url,
    portal: portal.url,
    userPoolId: auth.userPoolId,
    brokerRoleArn: brokerRoleArn(stage),
    bindingsTable: tables.bindings.name,
    auditTable: tables.audit.name,
    subjectsTable: tables.subjects.name,
  };
}

/** The handlers' configuration (AWS_REGION is set by Lambda itself and is reserved). */
function environment(
  stage: Stage,
  tables: Tables,
  auth: Auth,
  corsOrigins: readonly $util.Input<string>[],
): Record<string, $util.Input<string>> {
  const pools = [
    { userPoolId: auth.userPoolId, clientIds: auth.clientIds, tokenUse: stage.tokenUse },
    ...stage.extraPools,
  ];
  return {
    TESSERA_BINDINGS_TABLE: tables.bindings.name,
    TESSERA_AUDIT_TABLE: tables.audit.name,
    TESSERA_SUBJECTS_TABLE: tables.subjects.name,
    TESSERA_POOLS: $jsonStringify(pools),
    TESSERA_ADMIN_GROUP: stage.adminGroup,
    // IAM GetRole sees only this account's roles; other accounts' roles are bounded without it.
    TESSERA_ACCOUNT_ID: stage.account,
    // The kill switch in other accounts: the role their cross-account template creates.
    ...(otherTargetAccounts(stage).length > 0
      ? { TESSERA_REVOCATION_WRITER_ROLE: REVOCATION_WRITER_ROLE }
      : {}),
    // A Lambda runs on role-session credentials: every AssumeRole is role chaining (1 h cap).
    TESSERA_ROLE_CHAINING: 'true',
    TESSERA_CORS_ORIGINS: $resolve(corsOrigins).apply((origins) => origins.join(',')),
    TESSERA_ACCOUNTS: JSON.stringify(stage.accounts),
    TESSERA_CUSTOM_ATTRIBUTES: JSON.stringify(stage.customAttributes),
    // Binding writes name only roles the broker may assume: the targets, never its own role.
    TESSERA_TARGET_ROLES: JSON.stringify(stage.targetRoles),
    TESSERA_BROKER_ROLE_ARN: brokerRoleArn(stage),
    // Console sign-in links: the region's federation endpoint and console unless configured.
    ...(stage.console.federationEndpoint
      ? { TESSERA_FEDERATION_ENDPOINT: stage.console.federationEndpoint }
      : {}),
    ...(stage.console.destination
      ? { TESSERA_CONSOLE_DESTINATION: stage.console.destination }
      : {}),
    TESSERA_PORTAL_URL: stage.console.portalUrl,
    ...trailEnvironment(stage),
  };
}

/** The trail routes: this account with the audit role's own credentials, others by their reader. */
export function trailEnvironment(stage: Stage): Record<string, string> {
  const accounts: Record<string, string> = { [stage.account]: 'self' };
  for (const account of trailAccounts(stage)) {
    accounts[account] = trailReaderRoleArn(stage, account);
  }
  return {
    TESSERA_TRAIL_ACCOUNTS: JSON.stringify(accounts),
    TESSERA_TRAIL_DATA_EVENTS: dataEventsSetting(stage),
  };
}
