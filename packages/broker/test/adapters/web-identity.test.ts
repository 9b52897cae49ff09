/**
 * The web-identity vendor against a scripted STS endpoint (Query protocol, the unchanged
 * `@aws-sdk/client-sts`): the call is unsigned, carries a token that verifies with the issuer's
 * published key and the decision's claims, and STS's faults become VendError codes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STSClient } from '@aws-sdk/client-sts';
import { WebIdentityCredentialVendor } from '@tessera/broker/aws';
import { generateSigner } from '@tessera/broker/file-signer';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AssumeRoleParams, fixedClock, scheduledKeys, VendError } from '../../src/index.js';
import { NOW, token } from '../fixtures.js';

type Script = (form: URLSearchParams) => { status: number; xml: string };
const ok: Script = (form) => ({
  status: 200,
  xml: `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/workday/${form.get('RoleSessionName')}</Arn><AssumedRoleId>AROAEXAMPLE:x</AssumedRoleId></AssumedRoleUser>
    <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2026-11-24T20:00:00Z</Expiration></Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
});
const fault =
  (status: number, code: string): Script =>
  () => ({
    status,
    xml: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
  });

let script: Script = ok;
const seen: { headers: IncomingMessage['headers']; form: URLSearchParams }[] = [];
let server: Server;
let endpoint: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const form = new URLSearchParams(body);
      seen.push({ headers: req.headers, form });
      const { status, xml } = script(form);
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': 'req-1' });
      res.end(xml);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const signer = generateSigner();
const params: AssumeRoleParams = {
  RoleArn: 'arn:aws:iam::111122223333:role/workday',
  RoleSessionName: 'alice',
  DurationSeconds: 28_800,
  Policy: undefined,
  Tags: [{ Key: 'team', Value: 'platform' }],
  TransitiveTagKeys: [],
  SourceIdentity: 'alice',
  ExternalId: undefined,
};
const vendor = () =>
  new WebIdentityCredentialVendor({
    keys: scheduledKeys([{ signer, signsFrom: new Date(0) }]),
    issuer: 'https://id.example.com',
    audience: 'sts.amazonaws.com',
    clock: fixedClock(NOW),
    client: new STSClient({ region: 'eu-west-1', endpoint, maxAttempts: 1 }),
    newJti: () => 'jti-42',
  });

describe('WebIdentityCredentialVendor', () => {
  it('exchanges a token minted for the verified user, unsigned, for the decided duration', async () => {
    script = ok;
    const out = await vendor().assumeRole(params, token());
    expect(out).toMatchObject({
      webIdentityTokenId: 'jti-42',
      requestId: 'req-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE' },
    });
    const call = seen.at(-1)!;
    expect(call.headers.authorization).toBeUndefined();
    expect(call.form.get('Action')).toBe('AssumeRoleWithWebIdentity');
    expect(call.form.get('DurationSeconds')).toBe('28800');
    const { payload } = await jwtVerify(
      call.form.get('WebIdentityToken')!,
      createLocalJWKSet({ keys: [signer.publicJwk] }),
      { issuer: 'https://id.example.com', audience: 'sts.amazonaws.com', currentDate: NOW },
    );
    expect(payload).toMatchObject({
      sub: `${token().userPoolId}|${token().subject}`,
      jti: 'jti-42',
      'https://aws.amazon.com/tags': { principal_tags: { team: ['platform'] } },
      'https://aws.amazon.com/source_identity': 'alice',
    });
  });

  it.each([
    ['AccessDenied', 403, 'StsAccessDenied'],
    ['InvalidIdentityToken', 400, 'StsRequestRejected'],
    ['IDPRejectedClaim', 403, 'StsRequestRejected'],
    ['ExpiredTokenException', 400, 'StsRequestRejected'],
    ['IDPCommunicationError', 400, 'StsUnavailable'],
  ])('STS %s (HTTP %i) becomes VendError %s', async (code, status, expected) => {
    script = fault(status, code);
    const err = await vendor()
      .assumeRole(params, token())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendError);
    expect((err as VendError).code).toBe(expected);
  });

  it('no key may sign: StsUnavailable, and STS is never called', async () => {
    const before = seen.length;
    const v = new WebIdentityCredentialVendor({
      keys: scheduledKeys([{ signer, signsFrom: new Date(NOW.getTime() + 60_000) }]),
      issuer: 'https://id.example.com',
      audience: 'sts.amazonaws.com',
      clock: fixedClock(NOW),
      client: new STSClient({ region: 'eu-west-1', endpoint, maxAttempts: 1 }),
    });
    const err = await v.assumeRole(params, token()).catch((e: unknown) => e);
    expect((err as VendError).code).toBe('StsUnavailable');
    expect(seen.length).toBe(before);
  });
});
