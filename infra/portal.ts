/**
 * The access portal (`packages/portal`) as an SST static site (S3 + CloudFront). Its URL joins the
 * API's CORS origins and the portal client's callback URLs; what the page needs to sign in and call
 * the API is written beside it as `config.json` once the API and the pool exist, so the site's
 * build depends on nothing deployed (no cycle between the site, the API and the pool client).
 */
import type { Stage } from './config.js';

/** The site; `purge: false` keeps `config.json` (written below, not part of the build). */
export function createPortalSite(): sst.aws.StaticSite {
  return new sst.aws.StaticSite('Portal', {
    path: 'packages/portal',
    build: { command: 'npm run build', output: 'dist' },
    assets: { purge: false },
  });
}

export interface PortalValues {
  readonly api: $util.Input<string>;
  readonly userPoolId: $util.Input<string>;
  readonly clientId: $util.Input<string>;
}

/** The hosted UI (OAuth2 endpoints) of the stage's pool: its domain prefix in the region. */
export function hostedUi(stage: Stage): string {
  return `https://${stage.userPool.domainPrefix}.auth.${stage.region}.amazoncognito.com`;
}

/** `config.json`, the page's `PortalConfig` (packages/portal/src/config.ts). */
export function writePortalConfig(
  stage: Stage,
  site: sst.aws.StaticSite,
  values: PortalValues,
): aws.s3.BucketObjectv2 {
  const cognitoIdp = `https://cognito-idp.${stage.region}.amazonaws.com`;
  return new aws.s3.BucketObjectv2('PortalConfig', {
    bucket: site.nodes.assets!.name,
    key: 'config.json',
    contentType: 'application/json',
    cacheControl: 'no-cache',
    content: $jsonStringify({
      api: values.api,
      region: stage.region,
      issuer: $interpolate`${cognitoIdp}/${values.userPoolId}`,
      clientId: values.clientId,
      cognitoIdp,
      hostedUi: hostedUi(stage),
      tokenUse: stage.tokenUse ?? 'id',
      adminGroup: stage.adminGroup,
    }),
  });
}
