/**
 * Sign-in: the Cognito user pool (created here, or an existing one adopted by id), the app clients
 * (portal, CLI, apps — all public: authorization code + PKCE or SRP, no client secret), the admin
 * group, and optional federation from the company IdP.
 */
import type { FederationConfig, Stage } from './config.js';
import { dataOptions } from './tables.js';

export interface Auth {
  readonly userPoolId: $util.Input<string>;
  /** The portal's app client. */
  readonly portalClientId: $util.Input<string>;
  /** Every client whose tokens the broker accepts from this pool. */
  readonly clientIds: readonly $util.Input<string>[];
}

const OIDC_SCOPES = ['openid', 'email', 'profile'];

/** `portalUrl`: the deployed portal site, whose `/callback` the portal client also accepts. */
export function createAuth(stage: Stage, portalUrl: $util.Input<string>): Auth {
  const pool = userPool(stage);
  const idp = stage.federation === null ? null : federation(pool, stage.federation);
  const providers = idp === null ? ['COGNITO'] : ['COGNITO', idp.providerName];
  const portal = pool.addClient('Portal', {
    providers,
    callbackUrls: [...stage.portal.callbackUrls, $interpolate`${portalUrl}/callback`],
    transform: { client: publicCodeClient(stage, [...stage.portal.logoutUrls]) },
  });
  const cli = pool.addClient('Cli', {
    providers,
    callbackUrls: [...stage.cliCallbackUrls],
    transform: { client: publicCodeClient(stage, []) },
  });
  const apps = pool.addClient('Apps', {
    providers: ['COGNITO'],
    callbackUrls: [...stage.portal.callbackUrls],
    transform: { client: appClient(stage) },
  });
  // An adopted pool keeps its own domain and groups: its admin group must already exist.
  if (stage.userPool.kind === 'create') {
    new aws.cognito.UserGroup('AdminGroup', {
      userPoolId: pool.id,
      name: stage.adminGroup,
      description: 'Tessera administrators: manage bindings, read the audit log',
    });
    new aws.cognito.UserPoolDomain('Domain', {
      userPoolId: pool.id,
      domain: stage.userPool.domainPrefix,
    });
  }
  return {
    userPoolId: pool.id,
    portalClientId: portal.id,
    clientIds: [portal.id, cli.id, apps.id],
  };
}

function userPool(stage: Stage): sst.aws.CognitoUserPool {
  if (stage.userPool.kind === 'existing') {
    return sst.aws.CognitoUserPool.get('UserPool', stage.userPool.userPoolId);
  }
  return new sst.aws.CognitoUserPool(
    'UserPool',
    {
      usernames: ['email'],
      mfa: 'optional',
      softwareToken: true,
      transform: {
        userPool: (args: aws.cognito.UserPoolArgs) => {
          args.deletionProtection = stage.production ? 'ACTIVE' : 'INACTIVE';
          args.adminCreateUserConfig = { allowAdminCreateUserOnly: true };
          args.passwordPolicy = {
            minimumLength: 12,
            requireLowercase: true,
            requireUppercase: true,
            requireNumbers: true,
            requireSymbols: false,
            temporaryPasswordValidityDays: 3,
          };
          // The custom attributes tokens carry as `custom:<name>` (configuration lists them).
          args.schemas = stage.customAttributes.map((a) => ({
            name: a.name.slice('custom:'.length),
            attributeDataType: 'String',
            mutable: true,
            stringAttributeConstraints: { minLength: '0', maxLength: '256' },
          }));
        },
      },
    },
    dataOptions(stage),
  );
}

function federation(pool: sst.aws.CognitoUserPool, config: FederationConfig) {
  switch (config.type) {
    case 'saml':
      return pool.addIdentityProvider(config.name, {
        type: 'saml',
        details: { MetadataURL: config.metadataUrl, IDPSignout: 'false' },
        attributes: { ...config.attributes },
      });
    case 'oidc':
      return pool.addIdentityProvider(config.name, {
        type: 'oidc',
        details: {
          client_id: config.clientId,
          client_secret: new sst.Secret(config.clientSecretName).value,
          oidc_issuer: config.issuer,
          authorize_scopes: config.scopes.join(' '),
          attributes_request_method: 'GET',
        },
        attributes: { ...config.attributes },
      });
  }
}

/** Standard attributes users may update themselves; custom ones only when configured writable. */
const USER_WRITABLE_STANDARD = [
  'email',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'locale',
  'zoneinfo',
];

/** What a client lets users write: never a custom attribute the configuration does not call writable. */
function writeAttributes(stage: Stage): string[] {
  return [
    ...USER_WRITABLE_STANDARD,
    ...stage.customAttributes.filter((a) => a.userWritable).map((a) => a.name),
  ];
}

/** Portal and CLI: authorization code with PKCE, no secret, short-lived tokens, revocable refresh. */
function publicCodeClient(stage: Stage, logoutUrls: string[]) {
  return (args: aws.cognito.UserPoolClientArgs) => {
    args.writeAttributes = writeAttributes(stage);
    args.generateSecret = false;
    args.allowedOauthFlows = ['code'];
    args.allowedOauthScopes = OIDC_SCOPES;
    args.logoutUrls = logoutUrls;
    args.explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
    tokenSettings(args);
  };
}

/** Mobile and web apps: SRP sign-in with the SDK (or the hosted UI with code + PKCE), no secret. */
const appClient = (stage: Stage) => (args: aws.cognito.UserPoolClientArgs) => {
  args.writeAttributes = writeAttributes(stage);
  args.generateSecret = false;
  args.allowedOauthFlows = ['code'];
  args.allowedOauthScopes = OIDC_SCOPES;
  args.explicitAuthFlows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
  tokenSettings(args);
};

function tokenSettings(args: aws.cognito.UserPoolClientArgs) {
  args.preventUserExistenceErrors = 'ENABLED';
  args.enableTokenRevocation = true;
  args.accessTokenValidity = 60;
  args.idTokenValidity = 60;
  args.refreshTokenValidity = 12;
  args.tokenValidityUnits = { accessToken: 'minutes', idToken: 'minutes', refreshToken: 'hours' };
}
