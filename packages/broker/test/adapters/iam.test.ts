import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamRoleInspector } from '../../src/aws-iam.js';
import { BindingError } from '../../src/index.js';

/** A tiny IAM speaking the Query protocol's XML for GetRole. */
let server: Server;
let endpoint: string;
const roles: Record<string, number> = { 'app-upload': 7200 };

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Uint8Array[] = [];
    for await (const c of req) chunks.push(c as Uint8Array);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const name = form.get('RoleName') ?? '';
    const max = roles[name];
    if (max === undefined) {
      res.writeHead(404, { 'content-type': 'text/xml', 'x-amzn-requestid': 'r-404' });
      res.end(
        `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ${name} cannot be found.</Message></Error><RequestId>r-404</RequestId></ErrorResponse>`,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': 'r-200' });
    res.end(`<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>
<Path>/</Path><RoleName>${name}</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::111122223333:role/${name}</Arn>
<CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument><MaxSessionDuration>${max}</MaxSessionDuration>
</Role></GetRoleResult><ResponseMetadata><RequestId>r-200</RequestId></ResponseMetadata></GetRoleResponse>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const inspector = (accountId: string | null = '111122223333') =>
  new IamRoleInspector({
    accountId,
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKID', secretAccessKey: 's' },
  });

describe('IamRoleInspector', () => {
  it('reads MaxSessionDuration with GetRole', async () => {
    expect(await inspector().maxSessionDuration('arn:aws:iam::111122223333:role/app-upload')).toBe(
      7200,
    );
  });
  it('reports a missing role as an invalid binding naming roleArn', async () => {
    const err = await inspector()
      .maxSessionDuration('arn:aws:iam::111122223333:role/nope')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BindingError);
    expect(err).toMatchObject({
      code: 'BindingInvalid',
      issues: [{ field: '/roleArn', code: 'RoleNotFound' }],
    });
  });
  it('answers a role of another account without IAM, with the least MaxSessionDuration a role can have', async () => {
    // GetRole would look "app-upload" up in the broker's own account: a different role.
    expect(await inspector().maxSessionDuration('arn:aws:iam::999988887777:role/app-upload')).toBe(
      3600,
    );
  });
  it("with the account unknown, never takes a same-named role of its own account for another account's", async () => {
    expect(
      await inspector(null).maxSessionDuration('arn:aws:iam::999988887777:role/app-upload'),
    ).toBe(3600);
  });
  it('refuses a same-account role on another path than the one GetRole found', async () => {
    const err = await inspector()
      .maxSessionDuration('arn:aws:iam::111122223333:role/team/app-upload')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'BindingInvalid',
      issues: [{ field: '/roleArn', code: 'RoleNotFound' }],
    });
  });
});
