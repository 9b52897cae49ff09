import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudTrailSource } from '@tessera/broker/aws-cloudtrail';
import { type LocalStack, startStack } from '@tessera/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('CloudTrailSource against the local CloudTrail', () => {
  let home: string;
  let stack: LocalStack;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'tessera-trail-source-'));
    stack = await startStack({ home, ports: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('finds the calls made with one key, and names an account it has no credentials for', async () => {
    const broker = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: await stack.brokerCredentials(),
    });
    const creds = (
      await broker.send(
        new AssumeRoleCommand({
          RoleArn: 'arn:aws:iam::111111111111:role/app-upload',
          RoleSessionName: 'alice-trail',
        }),
      )
    ).Credentials!;
    const session = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: creds.AccessKeyId!,
        secretAccessKey: creds.SecretAccessKey!,
        sessionToken: creds.SessionToken!,
      },
    });
    await session.send(new GetCallerIdentityCommand({}));
    await session.send(new GetCallerIdentityCommand({}));

    const developer = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const source = new CloudTrailSource({
      region: stack.info.region,
      endpoint: stack.info.cloudtrail,
      credentialsFor: (account) =>
        account === '111111111111'
          ? { accessKeyId: developer.accessKeyId, secretAccessKey: developer.secretAccessKey }
          : undefined,
    });
    const window = {
      startTime: new Date(Date.now() - 60_000),
      endTime: new Date(Date.now() + 60_000),
    };
    const found = await source.search({
      accountId: '111111111111',
      accessKeyId: creds.AccessKeyId!,
      ...window,
    });
    expect(found.ok && found.records.map((r) => r['eventName'])).toEqual([
      'GetCallerIdentity',
      'GetCallerIdentity',
    ]);
    expect(
      await source.search({
        accountId: '222222222222',
        accessKeyId: creds.AccessKeyId!,
        ...window,
      }),
    ).toMatchObject({ ok: false, reason: 'AccountNotSearchable' });
  });
});
