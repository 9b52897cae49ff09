/**
 * The cognito-idp JSON API (awsJson1.1, `X-Amz-Target: AWSCognitoIdentityProviderService.<Op>`):
 * InitiateAuth with USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH, and GetUser, with Cognito's error
 * types, so the real `CognitoIdentityProviderClient` (endpoint override) signs in.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { readBody, sendJson } from '../http.js';
import type { KeyRing } from './keys.js';
import { SIGNIN_SCOPE, type UserPool } from './pool.js';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY = 64 * 1024;

export type CognitoErrorType =
  | 'NotAuthorizedException'
  | 'InvalidParameterException'
  | 'ResourceNotFoundException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'UserNotFoundException';

class CognitoError extends Error {
  constructor(
    readonly type: CognitoErrorType,
    message: string,
  ) {
    super(message);
  }
}

export function isCognitoApiRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && typeof req.headers['x-amz-target'] === 'string';
}

export async function handleCognitoApi(
  req: IncomingMessage,
  res: ServerResponse,
  pool: UserPool,
  keys: KeyRing,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const target = String(req.headers['x-amz-target']);
    const raw = (await readBody(req, MAX_BODY)).toString('utf8');
    let unverifiedInput: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
      unverifiedInput = parsed as Record<string, unknown>;
    } catch {
      throw new CognitoError('SerializationException', 'The request body is not a JSON object.');
    }
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    let output: unknown;
    switch (op) {
      case 'InitiateAuth':
        output = await initiateAuth(unverifiedInput, pool);
        break;
      case 'GetUser':
        output = await getUser(unverifiedInput, pool, keys);
        break;
      default:
        throw new CognitoError('UnknownOperationException', `Unknown operation ${target}`);
    }
    sendJson(res, 200, output, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': requestId,
    });
  } catch (err) {
    if (!(err instanceof CognitoError)) throw err;
    sendJson(
      res,
      400,
      { __type: err.type, message: err.message },
      {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': `${err.type}:`,
        'x-amzn-errormessage': err.message,
        'x-amzn-requestid': requestId,
      },
    );
  }
}

function param(input: Record<string, unknown>, name: string): string {
  const v = input[name];
  if (typeof v !== 'string' || v.length === 0) {
    throw new CognitoError('InvalidParameterException', `Missing required parameter ${name}`);
  }
  return v;
}

async function initiateAuth(input: Record<string, unknown>, pool: UserPool): Promise<unknown> {
  const flow = param(input, 'AuthFlow');
  const clientId = param(input, 'ClientId');
  const client = pool.client(clientId);
  if (!client) {
    throw new CognitoError(
      'ResourceNotFoundException',
      `User pool client ${clientId} does not exist.`,
    );
  }
  const rawParams = input.AuthParameters;
  const authParams: Record<string, string> = Object.create(null);
  if (typeof rawParams === 'object' && rawParams !== null) {
    for (const [k, v] of Object.entries(rawParams)) if (typeof v === 'string') authParams[k] = v;
  }
  switch (flow) {
    case 'USER_PASSWORD_AUTH': {
      const username = authParams.USERNAME;
      const password = authParams.PASSWORD;
      if (!username)
        throw new CognitoError('InvalidParameterException', 'Missing required parameter USERNAME');
      if (!password)
        throw new CognitoError('InvalidParameterException', 'Missing required parameter PASSWORD');
      // Prevent-user-existence-errors: an unknown user reads exactly like a wrong password.
      const user = pool.authenticate(username, password);
      if (!user)
        throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
      const tokens = await pool.mint(user, client, { scope: SIGNIN_SCOPE, withRefresh: true });
      return authResult(tokens);
    }
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN': {
      const token = authParams.REFRESH_TOKEN;
      if (!token)
        throw new CognitoError(
          'InvalidParameterException',
          'Missing required parameter REFRESH_TOKEN',
        );
      const tokens = await pool.refreshTokens(token, clientId);
      if (!tokens) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
      return authResult(tokens);
    }
    case 'USER_SRP_AUTH':
    case 'CUSTOM_AUTH':
    case 'USER_AUTH':
    case 'ADMIN_USER_PASSWORD_AUTH':
      throw new CognitoError(
        'InvalidParameterException',
        `${flow} flow not enabled for this client (the local issuer supports USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH)`,
      );
    default:
      throw new CognitoError(
        'InvalidParameterException',
        `1 validation error detected: Value '${flow}' at 'authFlow' failed to satisfy constraint`,
      );
  }
}

function authResult(tokens: Awaited<ReturnType<UserPool['mint']>>): unknown {
  return {
    AuthenticationResult: {
      AccessToken: tokens.accessToken,
      ExpiresIn: tokens.expiresIn,
      IdToken: tokens.idToken,
      ...(tokens.refreshToken ? { RefreshToken: tokens.refreshToken } : {}),
      TokenType: tokens.tokenType,
    },
    ChallengeParameters: {},
  };
}

/** Verifies a local access token (signature, iss, token_use) and returns its claims. */
export async function verifyAccessToken(
  unverifiedToken: string,
  pool: UserPool,
  keys: KeyRing,
): Promise<Record<string, unknown> | undefined> {
  try {
    const { payload } = await jwtVerify(unverifiedToken, createLocalJWKSet(keys.jwks()), {
      issuer: pool.issuer,
      algorithms: ['RS256'],
    });
    return payload.token_use === 'access' ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function getUser(
  input: Record<string, unknown>,
  pool: UserPool,
  keys: KeyRing,
): Promise<unknown> {
  const claims = await verifyAccessToken(param(input, 'AccessToken'), pool, keys);
  const user = claims && pool.userBySub(String(claims.sub));
  if (!user) throw new CognitoError('NotAuthorizedException', 'Invalid Access Token');
  return {
    Username: user.username,
    UserAttributes: [
      { Name: 'sub', Value: user.sub },
      ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    ],
  };
}
