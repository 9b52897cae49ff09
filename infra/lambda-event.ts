/**
 * What invoking a built bundle outside Lambda needs — a minimal API Gateway HTTP API (payload 2.0)
 * event, a Lambda context, the environment SST sets — for the bundle smoke check and the
 * cold-start benchmark.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Route } from './functions.js';

export function apiEvent(
  route: Pick<Route, 'method' | 'path'>,
  headers: Record<string, string> = {},
) {
  const path = route.path.replace('{id}', 'example');
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'tessera-bench', ...headers },
    requestContext: {
      accountId: '111122223333',
      apiId: 'bench',
      domainName: 'bench.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'bench',
      http: {
        method: route.method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.10',
        userAgent: 'tessera-bench',
      },
      requestId: 'bench-request',
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: '24/Nov/2026:21:00:00 +0000',
      timeEpoch: 1795554000000,
    },
    ...(route.method === 'POST' || route.method === 'PUT' ? { body: '{"role":"app-upload"}' } : {}),
    isBase64Encoded: false,
  };
}

export function lambdaContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'bench-invocation',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The handlers' configuration as the deploy sets it, for a run without network: the pool's JWKS is
 * handed in (init would otherwise fetch it from Cognito), and DynamoDB/STS calls go to
 * `awsEndpoint` (a local stand-in, or a closed port to see the failure path).
 */
export function offlineEnvironment(awsEndpoint: string): Record<string, string> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = {
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'offline', alg: 'RS256', use: 'sig' }],
  };
  return {
    TESSERA_BINDINGS_TABLE: 'tessera-offline-bindings',
    TESSERA_AUDIT_TABLE: 'tessera-offline-audit',
    TESSERA_SUBJECTS_TABLE: 'tessera-offline-subjects',
    TESSERA_POOLS: JSON.stringify([
      { userPoolId: 'eu-west-1_Offline1', clientIds: ['offline'], tokenUse: null, jwks },
    ]),
    TESSERA_ADMIN_GROUP: 'tessera-admins',
    TESSERA_ROLE_CHAINING: 'true',
    TESSERA_CORS_ORIGINS: 'https://access.example.com',
    AWS_ENDPOINT_URL_DYNAMODB: awsEndpoint,
    AWS_ENDPOINT_URL_STS: awsEndpoint,
    AWS_ACCESS_KEY_ID: 'AKIDOFFLINEEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'offline-secret',
  };
}
