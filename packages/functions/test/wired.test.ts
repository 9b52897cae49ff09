/**
 * createApp with the real adapters, as the local stack runs it: DynamoDB adapters on dynalite,
 * the STS vendor against an STS-speaking server, the Cognito verifier with a pre-hydrated JWKS.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoAuditSink, DynamoBindingStore } from '@tessera/broker/aws';
import { createTables } from '@tessera/broker/provisioning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, clientFor, type RunningServer } from '../../broker/test/dynamo-servers.js';
import { binding } from '../../broker/test/fixtures.js';
import { createApp, type TesseraConfig } from '../src/index.js';
import { apiEvent, lambdaContext } from './events.js';

const POOL = 'eu-west-1_AbC';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = {
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' }],
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function sign(claims: Record<string, unknown>): string {
  const head = `${b64({ alg: 'RS256', kid: 'k1', typ: 'JWT' })}.${b64(claims)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url')}`;
}
const now = Math.floor(Date.now() / 1000);
const aliceToken = sign({
  iss: ISSUER,
  sub: 'a1b2c3d4-0000-4000-8000-000000000001',
  client_id: 'app-client-id',
  token_use: 'access',
  username: 'alice',
  'cognito:groups': ['uploaders'],
  'custom:team': 'blue',
  jti: 'jti-wired',
  iat: now - 5,
  exp: now + 3600,
});

let dynamo: RunningServer;
let sts: Server;
let stsEndpoint: string;
const stsCalls: URLSearchParams[] = [];

beforeAll(async () => {
  dynamo = await backends[0]!.start();
  const client = clientFor(dynamo.endpoint);
  await createTables(client, { bindings: 'bindings', audit: 'audit', subjects: 'subjects' });
  await new DynamoBindingStore({ client, tableName: 'bindings' }).put(binding());
  client.destroy();
  sts = createServer(async (req, res) => {
    const chunks: Uint8Array[] = [];
    for await (const c of req) chunks.push(c as Uint8Array);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    stsCalls.push(form);
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-wired-1' });
    res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/app-upload/${form.get('RoleSessionName')}</Arn><AssumedRoleId>AROAEXAMPLE:x</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAWIREDEXAMPLE</AccessKeyId><SecretAccessKey>wired-secret</SecretAccessKey><SessionToken>wired-token</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>req-wired-1</RequestId></ResponseMetadata></AssumeRoleResponse>`);
  });
  await new Promise<void>((resolve) => sts.listen(0, '127.0.0.1', () => resolve()));
  stsEndpoint = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dynamo?.stop();
  await new Promise<void>((resolve) => sts.close(() => resolve()));
});

describe('createApp wired to real adapters', () => {
  it('vends through dynalite, STS and the Cognito verifier, and stores the audit event', async () => {
    const config: TesseraConfig = {
      region: 'eu-west-1',
      tables: { bindings: 'bindings', audit: 'audit', subjects: null },
      pools: [{ userPoolId: POOL, clientIds: ['app-client-id'], jwks }],
      adminGroup: 'tessera-admins',
      accountId: '111122223333',
      roleChainingCap: true,
      cache: { bindingsSeconds: 30 },
      storeTimeoutMs: 1000,
      stsTimeoutMs: 1500,
      auditTtlDays: 7,
      subjectTtlDays: 90,
      corsOrigins: [],
      rateLimits: { perSourceIp: null, perSubject: null },
      accounts: {},
      customAttributes: [],
      console: {
        federationEndpoint: 'https://signin.aws.amazon.com/federation',
        destination: 'https://console.aws.amazon.com/',
        issuer: null,
      },
      endpoints: { sts: stsEndpoint, dynamodb: dynamo.endpoint },
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    };
    const app = createApp(config);
    const res = await app.credentials(
      apiEvent('POST', '/v1/credentials', {
        token: aliceToken,
        body: { role: 'app-upload', durationSeconds: 1200 },
      }),
      lambdaContext,
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body ?? '')).toMatchObject({
      durationSeconds: 1200,
      clampedBy: 'none',
      sourceIdentity: 'alice',
    });
    expect(stsCalls[0]?.get('Policy')).toContain('uploads/a1b2c3d4-0000-4000-8000-000000000001/*');
    const client = clientFor(dynamo.endpoint);
    const events = await new DynamoAuditSink({ client, tableName: 'audit' }).listBySubject(
      `${ISSUER}|a1b2c3d4-0000-4000-8000-000000000001`,
    );
    client.destroy();
    expect(events).toMatchObject([
      {
        result: 'grant',
        accessKeyId: 'ASIAWIREDEXAMPLE',
        stsRequestId: 'req-wired-1',
        bindingId: 'app-upload',
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('wired-secret');

    const roles = await app.roles(
      apiEvent('GET', '/v1/roles', { token: aliceToken }),
      lambdaContext,
    );
    expect(JSON.parse(roles.body ?? '').accounts[0].roles[0].bindingId).toBe('app-upload');
  });
});
