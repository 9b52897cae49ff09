/** Shared test data: one pool, a few bindings, tokens. */
import type {
  Binding,
  Decided,
  Decision,
  Deny,
  RequestOrigin,
  VerifiedToken,
} from '../src/index.js';

export const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC';
export const POOL_ID = 'eu-west-1_AbC';
export const ACCOUNT = '111122223333';
export const NOW = new Date('2026-11-24T12:00:00.000Z');

export const origin: RequestOrigin = {
  sourceIp: '203.0.113.7',
  userAgent: 'tests/1.0',
  secureTransport: true,
};

export function token(
  overrides: Partial<VerifiedToken> & { claims?: Record<string, unknown> } = {},
): VerifiedToken {
  const claims = {
    iss: ISSUER,
    sub: 'a1b2c3d4-0000-4000-8000-000000000001',
    'cognito:username': 'alice',
    'cognito:groups': ['uploaders', 'engineers'],
    client_id: 'app-client-id',
    token_use: 'access',
    jti: 'jti-1',
    iat: 1_764_000_000,
    exp: 1_764_003_600,
    'custom:team': 'blue',
    ...overrides.claims,
  };
  return {
    issuer: ISSUER,
    userPoolId: POOL_ID,
    clientId: 'app-client-id',
    tokenUse: 'access',
    subject: String(claims.sub),
    username:
      typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : undefined,
    ...overrides,
    claims,
  };
}

export function trustFor(groups: string[], extra: Record<string, unknown> = {}) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' },
        Condition: {
          StringEquals: { 'token:client_id': 'app-client-id' },
          'ForAnyValue:StringEquals': { 'token:cognito:groups': groups },
          ...extra,
        },
      },
    ],
  };
}

export function binding(overrides: Partial<Binding> = {}): Binding {
  return {
    id: 'app-upload',
    vendor: 'assume-role',
    issuer: ISSUER,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/app-upload`,
    trustPolicy: trustFor(['uploaders']),
    sessionPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::media-bucket/uploads/${token:sub}/*',
        },
      ],
    },
    sessionTags: { team: '${token:custom:team}' },
    transitiveTagKeys: [],
    sourceIdentity: '${token:cognito:username}',
    durationSeconds: { default: 900, max: 3600 },
    externalId: null,
    enabled: true,
    version: 1,
    updatedAt: '2026-11-24T00:00:00.000Z',
    updatedBy: 'tests',
    roleMaxSessionDuration: 3600,
    roleDescription: '',
    permissionPolicies: null,
    explain: 'keys',
    ...overrides,
  };
}

/** A decision flattened for assertions: `{effect: 'grant', ...decided}` or `{effect: 'deny', reason, ...deny}`. */
export type FlatDecision =
  | ({ readonly effect: 'grant' } & Decided)
  | ({ readonly effect: 'deny'; readonly reason: Deny['code'] } & Deny);

export function flat(decision: Decision): FlatDecision {
  return decision.kind === 'ok'
    ? { effect: 'grant', ...decision.value }
    : { effect: 'deny', reason: decision.code, ...decision };
}
