import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StsCredentialVendor } from '@tessera/broker/aws';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AssumeRoleParams, VendError } from '../../src/index.js';

/** A tiny STS speaking the Query protocol's XML, scripted per test. */
type Script = (form: URLSearchParams) => { status: number; xml: string };

const ok = (form: URLSearchParams) => ({
  status: 200,
  xml: `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>${form.get('SourceIdentity')}</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::111122223333:assumed-role/app-upload/${form.get('RoleSessionName')}</Arn>
      <AssumedRoleId>AROA3XFRBF535EXAMPLE:${form.get('RoleSessionName')}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>FwoGZXIvYXdzEXAMPLETOKEN</SessionToken>
      <Expiration>2026-11-24T13:00:00Z</Expiration>
    </Credentials>
    <PackedPolicySize>7</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`,
});

const fault = (status: number, code: string, message: string) => () => ({
  status,
  xml: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>
  <RequestId>4d2b6a3c-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>`,
});

const params: AssumeRoleParams = {
  RoleArn: 'arn:aws:iam::111122223333:role/app-upload',
  RoleSessionName: 'alice-0123456789',
  DurationSeconds: 900,
  Policy:
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/u/*"}]}',
  Tags: [{ Key: 'team', Value: 'blue' }],
  TransitiveTagKeys: ['team'],
  SourceIdentity: 'alice',
  ExternalId: 'ext-123',
};

let server: Server;
let endpoint: string;
let script: Script[] = [];
let seen: URLSearchParams[] = [];

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const form = new URLSearchParams(await body(req));
    seen.push(form);
    const step = script.length > 1 ? script.shift()! : script[0]!;
    const { status, xml } = step(form);
    res.writeHead(status, {
      'content-type': 'text/xml',
      'x-amzn-requestid': /<RequestId>([^<]+)</.exec(xml)?.[1] ?? '',
    });
    res.end(xml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  script = [ok];
});

const vendor = (maxAttempts = 2) =>
  new StsCredentialVendor({
    endpoint,
    region: 'eu-west-1',
    credentials: {
      accessKeyId: 'AKIDBROKER',
      secretAccessKey: 'broker-secret',
      sessionToken: 'broker-session',
    },
    maxAttempts,
    retryAfterSeconds: 4,
  });

describe('StsCredentialVendor against an STS-speaking server', () => {
  it('sends exactly the decided parameters and returns credentials, role and request id', async () => {
    const out = await vendor().assumeRole(params);
    expect(out).toEqual({
      credentials: {
        accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
        sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN',
        expiration: '2026-11-24T13:00:00.000Z',
      },
      assumedRoleArn: 'arn:aws:sts::111122223333:assumed-role/app-upload/alice-0123456789',
      requestId: 'c6104cbe-af31-11e0-8154-cbc7ccf896c7',
    });
    const form = seen[0]!;
    expect(Object.fromEntries(form)).toMatchObject({
      Action: 'AssumeRole',
      RoleArn: params.RoleArn,
      RoleSessionName: params.RoleSessionName,
      DurationSeconds: '900',
      Policy: params.Policy,
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'blue',
      'TransitiveTagKeys.member.1': 'team',
      SourceIdentity: 'alice',
      ExternalId: 'ext-123',
    });
  });

  it('omits Policy, Tags and ExternalId when there are none', async () => {
    await vendor().assumeRole({
      ...params,
      Policy: undefined,
      Tags: [],
      TransitiveTagKeys: [],
      ExternalId: undefined,
    });
    const keys = [...seen[0]!.keys()];
    expect(
      keys.some(
        (k) =>
          k.startsWith('Tags') ||
          k === 'Policy' ||
          k === 'ExternalId' ||
          k.startsWith('Transitive'),
      ),
    ).toBe(false);
  });

  it('retries throttling and succeeds', async () => {
    script = [fault(400, 'Throttling', 'Rate exceeded'), ok];
    const out = await vendor(3).assumeRole(params);
    expect(out.credentials.accessKeyId).toBe('ASIAIOSFODNN7EXAMPLE');
    expect(seen).toHaveLength(2);
  });

  it('gives up after maxAttempts with StsThrottled and a Retry-After', async () => {
    script = [fault(400, 'Throttling', 'Rate exceeded')];
    const err = await vendor(2)
      .assumeRole(params)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VendError);
    expect(err).toMatchObject({ code: 'StsThrottled', retryAfterSeconds: 4 });
    expect(seen).toHaveLength(2);
  });

  it('maps AccessDenied without retrying', async () => {
    script = [fault(403, 'AccessDenied', 'User is not authorized to perform: sts:AssumeRole')];
    await expect(vendor(3).assumeRole(params)).rejects.toMatchObject({
      name: 'VendError',
      code: 'StsAccessDenied',
      // STS's reason, for the audit event an administrator reads
      message:
        'STS AssumeRole failed: AccessDenied: User is not authorized to perform: sts:AssumeRole',
    });
    expect(seen).toHaveLength(1);
  });

  it.each([
    ['RegionDisabledException', 403, 'StsRegionDisabled'],
    ['ExpiredTokenException', 400, 'StsCredentialsExpired'],
    ['PackedPolicyTooLarge', 400, 'StsLimitExceeded'],
    ['MalformedPolicyDocument', 400, 'StsRequestRejected'],
  ])('maps %s (HTTP %i) to %s', async (code, status, expected) => {
    script = [fault(status, code, 'no')];
    await expect(vendor(1).assumeRole(params)).rejects.toMatchObject({ code: expected });
  });
});
