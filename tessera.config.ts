/**
 * Tessera's deployment configuration: one typed file, validated at deploy time (and by
 * `npm run synth`) by `infra/config.ts`. The values below are the example configuration: replace
 * the account ids, pool, IdP, origins and target roles with yours.
 */
import { defineConfig } from './infra/config.js';

export default defineConfig({
  app: 'tessera',
  stages: {
    dev: {
      account: '210987654321',
      region: 'eu-west-1',
      userPool: { kind: 'create', domainPrefix: 'tessera-dev-example' },
      // Both token kinds: the example bindings read `cognito:username` (ID token) and `client_id`
      // (access token). Set 'access' if every binding uses access-token claims only.
      tokenUse: null,
      extraPools: [],
      federation: null,
      // Every role under /tessera-dev/ in the dev account; the example roles are created there.
      targetRoles: { path: '/tessera-dev/', accounts: ['210987654321'] },
      adminGroup: 'tessera-admins',
      portal: {
        origins: ['http://localhost:5173'],
        callbackUrls: ['http://localhost:5173/callback'],
        logoutUrls: ['http://localhost:5173/'],
      },
      cliCallbackUrls: ['http://localhost:8765/callback'],
      throttle: { rate: 20, burst: 40 },
      examples: { uploadBucket: 'tessera-dev-example-uploads' },
      // The trail routes search this account's CloudTrail (LookupEvents: management events, 90
      // days); no data-events trail in dev.
      trail: { accounts: [], dataEvents: false },
      // Tessera as an OIDC issuer (the web-identity vendor, sessions up to 12 h): the API's custom
      // domain is the issuer URL every trusting role names. null: AssumeRole vendor only.
      webIdentity: {
        domain: 'id.dev.access.example.com',
        certificateArn:
          'arn:aws:acm:eu-west-1:210987654321:certificate/00000000-0000-4000-8000-000000000001',
        audience: 'sts.amazonaws.com',
      },
      accounts: { '210987654321': 'dev' },
      // Users may set their own team; no trust policy may check only that.
      customAttributes: [{ name: 'custom:team', userWritable: true }],
      console: { portalUrl: 'http://localhost:5173/', federationEndpoint: null, destination: null },
    },
    production: {
      account: '111122223333',
      region: 'eu-west-1',
      userPool: { kind: 'create', domainPrefix: 'tessera-example' },
      // Both token kinds: the example bindings read `cognito:username` (ID token) and `client_id`
      // (access token). Set 'access' if every binding uses access-token claims only.
      tokenUse: null,
      extraPools: [],
      federation: {
        type: 'saml',
        name: 'CompanyIdP',
        metadataUrl: 'https://idp.example.com/saml/metadata',
        attributes: {
          email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
          preferred_username: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
        },
      },
      targetRoles: {
        arns: [
          'arn:aws:iam::111122223333:role/tessera-production-app-upload',
          'arn:aws:iam::111122223333:role/tessera-production-employee-readonly',
          'arn:aws:iam::444455556666:role/tessera-access',
        ],
      },
      adminGroup: 'tessera-admins',
      portal: {
        origins: ['https://access.example.com'],
        callbackUrls: ['https://access.example.com/callback'],
        logoutUrls: ['https://access.example.com/'],
      },
      cliCallbackUrls: ['http://localhost:8765/callback'],
      throttle: { rate: 50, burst: 100 },
      examples: { uploadBucket: 'example-media-uploads' },
      // The trail routes also search the partner account (its cross-account template's trail
      // reader role), and a trail records the upload bucket's object calls (S3 data events).
      trail: { accounts: ['444455556666'], dataEvents: true },
      webIdentity: {
        domain: 'id.access.example.com',
        certificateArn:
          'arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-4000-8000-000000000002',
        audience: 'sts.amazonaws.com',
      },
      accounts: { '111122223333': 'production', '444455556666': 'partner' },
      customAttributes: [
        { name: 'custom:team', userWritable: true },
        { name: 'custom:employee_id', userWritable: false },
      ],
      console: {
        portalUrl: 'https://access.example.com/',
        federationEndpoint: null,
        destination: null,
      },
    },
  },
});
