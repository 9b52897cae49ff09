import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudTrailClient,
  InvalidLookupAttributesException,
  LookupEventsCommand,
  type Event as TrailEvent,
} from '@aws-sdk/client-cloudtrail';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutSecrets } from '../src/cloudtrail/record.js';
import { LocalTrail } from '../src/cloudtrail/trail.js';
import { type LocalStack, startStack } from '../src/index.js';
import { awsCli, clientEnv, credentialVars } from './clients/run.js';

const APP_UPLOAD = 'arn:aws:iam::111111111111:role/app-upload';

describe('withoutSecrets', () => {
  it('drops secret keys and session tokens at any depth, whatever their casing', () => {
    expect(
      withoutSecrets({
        credentials: { accessKeyId: 'ASIA1', SecretAccessKey: 's', sessionToken: 't' },
        list: [{ SESSIONTOKEN: 'x', keep: 1 }],
      }),
    ).toEqual({ credentials: { accessKeyId: 'ASIA1' }, list: [{ keep: 1 }] });
  });
});

describe('LocalTrail', () => {
  const call = (eventName: string, seconds: number) => ({
    eventSource: 'sts.amazonaws.com',
    eventName,
    region: 'eu-west-1',
    time: new Date(Date.UTC(2026, 10, 29, 12, 0, seconds)),
    caller: undefined,
    sourceIp: '127.0.0.1',
    userAgent: 'test',
    requestId: `req-${seconds}`,
    requestParameters: null,
    responseElements: null,
    readOnly: true,
    resources: [],
    category: 'Management' as const,
    recipientAccountId: seconds === 9 ? '222222222222' : '111111111111',
  });
  const ACCOUNT = '111111111111';

  it('holds only the newest records in memory (count and bytes), keeps them all in the file, and its page tokens survive', () => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-trail-'));
    try {
      const trail = LocalTrail.open(home, { records: 4, bytes: 1024 * 1024 });
      for (let i = 0; i < 4; i += 1) trail.record(call('AssumeRole', i));
      const page = trail.lookup({ account: ACCOUNT, maxResults: 2 });
      if (!page.ok) throw new Error('lookup failed');
      expect(page.events.map((e) => e.requestID)).toEqual(['req-3', 'req-2']);
      trail.record(call('AssumeRole', 4));
      trail.record(call('AssumeRole', 5));
      // req-0 and req-1 are forgotten; the token of the first page still continues at req-1's turn.
      const rest = trail.lookup({ account: ACCOUNT, maxResults: 50, nextToken: page.nextToken });
      expect(rest).toEqual({ ok: true, events: [] });
      const all = trail.lookup({ account: ACCOUNT, maxResults: 50 });
      if (!all.ok) throw new Error('lookup failed');
      expect(all.events.map((e) => e.requestID)).toEqual(['req-5', 'req-4', 'req-3', 'req-2']);
      trail.close();
      const lines = readFileSync(join(home, 'cloudtrail', 'events.jsonl'), 'utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(6);
      const size = lines[0]!.length;
      const reopened = LocalTrail.open(home, { records: 100, bytes: 3 * size });
      const kept = reopened.lookup({ account: ACCOUNT, maxResults: 50 });
      if (!kept.ok) throw new Error('lookup failed');
      expect(kept.events.map((e) => e.requestID)).toEqual(['req-5', 'req-4', 'req-3']);
      reopened.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('keeps records across a reopen, drops a torn last line, answers one account, newest first, paged', () => {
    const home = mkdtempSync(join(tmpdir(), 'tessera-trail-'));
    try {
      const trail = LocalTrail.open(home);
      for (let i = 0; i < 5; i += 1)
        trail.record(call(i % 2 ? 'GetCallerIdentity' : 'AssumeRole', i));
      trail.record(call('GetCallerIdentity', 9));
      trail.close();
      appendFileSync(join(home, 'cloudtrail', 'events.jsonl'), '{"eventVersion":"1.0');
      const reopened = LocalTrail.open(home);
      const other = reopened.lookup({ account: '222222222222', maxResults: 50 });
      expect(other.ok && other.events.map((e) => e.requestID)).toEqual(['req-9']);
      const first = reopened.lookup({ account: ACCOUNT, maxResults: 2 });
      expect(first.ok && first.events.map((e) => e.requestID)).toEqual(['req-4', 'req-3']);
      const token = first.ok ? first.nextToken : undefined;
      expect(token).toBeTypeOf('string');
      const rest = reopened.lookup({ account: ACCOUNT, maxResults: 50, nextToken: token });
      expect(rest.ok && rest.events.map((e) => e.requestID)).toEqual(['req-2', 'req-1', 'req-0']);
      expect(rest.ok && rest.nextToken).toBeUndefined();

      const byName = reopened.lookup({
        account: ACCOUNT,
        maxResults: 50,
        attribute: { key: 'EventName', value: 'GetCallerIdentity' },
      });
      expect(byName.ok && byName.events.map((e) => e.requestID)).toEqual(['req-3', 'req-1']);
      // a token is bound to its query
      expect(
        reopened.lookup({
          account: ACCOUNT,
          maxResults: 2,
          nextToken: token,
          attribute: { key: 'EventName', value: 'AssumeRole' },
        }),
      ).toMatchObject({ ok: false, code: 'InvalidNextTokenException' });
      const inWindow = reopened.lookup({
        account: ACCOUNT,
        maxResults: 50,
        startTime: new Date(Date.UTC(2026, 10, 29, 12, 0, 1)),
        endTime: new Date(Date.UTC(2026, 10, 29, 12, 0, 2)),
      });
      expect(inWindow.ok && inWindow.events.map((e) => e.requestID)).toEqual(['req-2', 'req-1']);
      reopened.close();
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('the local CloudTrail through the stack', () => {
  let home: string;
  let stack: LocalStack;
  let developer: { accessKeyId: string; secretAccessKey: string };

  const trailClient = (credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }) =>
    new CloudTrailClient({
      region: stack.info.region,
      endpoint: stack.info.cloudtrail,
      credentials,
    });

  async function lookupAll(key: string, value: string): Promise<TrailEvent[]> {
    const client = trailClient(developer);
    const out: TrailEvent[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new LookupEventsCommand({
          LookupAttributes: [{ AttributeKey: key as never, AttributeValue: value }],
          MaxResults: 2,
          NextToken,
        }),
      );
      out.push(...(page.Events ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  }

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'tessera-cloudtrail-'));
    stack = await startStack({ home, ports: 0 });
    const user = stack.info.iamUsers.find((u) => u.name === 'developer');
    if (!user) throw new Error('no developer user');
    developer = user;
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('records what a session did, allowed and denied, and LookupEvents finds it by access key id', async () => {
    const broker = await stack.brokerCredentials();
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: broker,
    });
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: APP_UPLOAD,
        RoleSessionName: 'trail-test',
        SourceIdentity: 'alice',
      }),
    );
    const creds = assumed.Credentials!;
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
    // The app-upload role may not assume another role: refused, and recorded as refused.
    await expect(
      session.send(new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 'again' })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });

    const events = await lookupAll('AccessKeyId', creds.AccessKeyId!);
    expect(events.map((e) => e.EventName)).toEqual(['AssumeRole', 'GetCallerIdentity']);
    const [denied, allowed] = events.map((e) => JSON.parse(e.CloudTrailEvent!));
    expect(allowed).toMatchObject({
      eventSource: 'sts.amazonaws.com',
      eventName: 'GetCallerIdentity',
      readOnly: true,
      eventType: 'AwsApiCall',
      managementEvent: true,
      eventCategory: 'Management',
      recipientAccountId: '111111111111',
      sourceIPAddress: '127.0.0.1',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111111111111:assumed-role/app-upload/trail-test',
        accountId: '111111111111',
        accessKeyId: creds.AccessKeyId,
        sessionContext: {
          sessionIssuer: { type: 'Role', arn: APP_UPLOAD, userName: 'app-upload' },
          sourceIdentity: 'alice',
        },
      },
    });
    expect(allowed.userIdentity.sessionContext.attributes.creationDate).toMatch(/Z$/);
    expect(denied).toMatchObject({
      eventName: 'AssumeRole',
      errorCode: 'AccessDenied',
      responseElements: null,
    });
    expect(events[0]).toMatchObject({ Username: 'trail-test', ReadOnly: 'false' });

    // The broker's AssumeRole names the new key in its response, never the secret.
    const own = await lookupAll('AccessKeyId', broker.accessKeyId);
    const assumeRecord = own
      .map((e) => JSON.parse(e.CloudTrailEvent!))
      .find((r) => r.responseElements?.credentials?.accessKeyId === creds.AccessKeyId);
    expect(assumeRecord).toMatchObject({
      eventName: 'AssumeRole',
      userIdentity: {
        type: 'AssumedRole',
        sessionContext: { sessionIssuer: { userName: 'tessera-broker' } },
      },
      resources: [{ type: 'AWS::IAM::Role', ARN: APP_UPLOAD, accountId: '111111111111' }],
      requestParameters: {
        roleArn: APP_UPLOAD,
        roleSessionName: 'trail-test',
        sourceIdentity: 'alice',
      },
    });

    const onDisk = readFileSync(join(home, 'cloudtrail', 'events.jsonl'), 'utf8');
    expect(onDisk).not.toContain(creds.SecretAccessKey!);
    expect(onDisk).not.toContain(creds.SessionToken!);
    expect(onDisk).not.toContain(broker.secretAccessKey);
    expect(onDisk).not.toContain(broker.sessionToken);
    expect(onDisk).not.toContain(developer.secretAccessKey);
  });

  it('refuses LookupEvents to a caller whose policies do not allow it, and bad attributes as CloudTrail does', async () => {
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: await stack.brokerCredentials(),
    });
    const creds = (
      await sts.send(new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 'nosy' }))
    ).Credentials!;
    const nosy = trailClient({
      accessKeyId: creds.AccessKeyId!,
      secretAccessKey: creds.SecretAccessKey!,
      sessionToken: creds.SessionToken!,
    });
    await expect(nosy.send(new LookupEventsCommand({}))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });
    await expect(
      trailClient(developer).send(
        new LookupEventsCommand({
          LookupAttributes: [
            { AttributeKey: 'EventName', AttributeValue: 'AssumeRole' },
            { AttributeKey: 'Username', AttributeValue: 'developer' },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidLookupAttributesException);
    await expect(
      trailClient({ ...developer, secretAccessKey: `${developer.secretAccessKey}x` }).send(
        new LookupEventsCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('answers the AWS CLI (aws cloudtrail lookup-events) with the events the SDK sees', {
    timeout: 120_000,
  }, async () => {
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: await stack.brokerCredentials(),
    });
    const creds = (
      await sts.send(new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 'cli-trail' }))
    ).Credentials!;
    await new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: creds.AccessKeyId!,
        secretAccessKey: creds.SecretAccessKey!,
        sessionToken: creds.SessionToken!,
      },
    }).send(new GetCallerIdentityCommand({}));
    const env = clientEnv(home, `[default]\nregion = ${stack.info.region}\n`);
    const out = await awsCli(
      env,
      [
        'cloudtrail',
        'lookup-events',
        '--endpoint-url',
        stack.info.cloudtrail,
        '--lookup-attributes',
        `AttributeKey=AccessKeyId,AttributeValue=${creds.AccessKeyId}`,
      ],
      credentialVars(developer),
    );
    expect(out.stderr).toBe('');
    expect(out.exitCode).toBe(0);
    const cliEvents = (JSON.parse(out.stdout) as { Events: TrailEvent[] }).Events;
    const sdkEvents = await lookupAll('AccessKeyId', creds.AccessKeyId!);
    expect(cliEvents.map((e) => e.EventId)).toEqual(sdkEvents.map((e) => e.EventId));
    expect(cliEvents.map((e) => e.EventName)).toEqual(['GetCallerIdentity']);
  });

  it('records S3 data events: two uploads and a refused one, with the object keys and the SourceIdentity', async () => {
    const sts = new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: await stack.brokerCredentials(),
    });
    const creds = (
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: APP_UPLOAD,
          RoleSessionName: 'alice-s3',
          SourceIdentity: 'alice',
          Tags: [{ Key: 'sub', Value: 'sub-alice' }],
        }),
      )
    ).Credentials!;
    const s3 = new S3Client({
      region: stack.info.region,
      endpoint: stack.info.s3,
      forcePathStyle: true,
      credentials: {
        accessKeyId: creds.AccessKeyId!,
        secretAccessKey: creds.SecretAccessKey!,
        sessionToken: creds.SessionToken!,
      },
    });
    const put = (Key: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'tessera-local-media', Key, Body: 'hello' }));
    await put('uploads/sub-alice/one.txt');
    await put('uploads/sub-alice/two.txt');
    await expect(put('uploads/sub-bob/three.txt')).rejects.toMatchObject({ name: 'AccessDenied' });

    const records = (await lookupAll('AccessKeyId', creds.AccessKeyId!)).map((e) =>
      JSON.parse(e.CloudTrailEvent!),
    );
    expect(records.map((r) => [r.eventName, r.resources[0].ARN, r.errorCode ?? 'allowed'])).toEqual(
      [
        ['PutObject', 'arn:aws:s3:::tessera-local-media/uploads/sub-bob/three.txt', 'AccessDenied'],
        ['PutObject', 'arn:aws:s3:::tessera-local-media/uploads/sub-alice/two.txt', 'allowed'],
        ['PutObject', 'arn:aws:s3:::tessera-local-media/uploads/sub-alice/one.txt', 'allowed'],
      ],
    );
    expect(records[1]).toMatchObject({
      eventSource: 's3.amazonaws.com',
      eventCategory: 'Data',
      managementEvent: false,
      readOnly: false,
      requestParameters: { bucketName: 'tessera-local-media', key: 'uploads/sub-alice/two.txt' },
      userIdentity: { accessKeyId: creds.AccessKeyId, sessionContext: { sourceIdentity: 'alice' } },
    });
  });

  it('keeps the events across a restart of the stack', async () => {
    await new STSClient({
      region: stack.info.region,
      endpoint: stack.info.sts,
      credentials: developer,
    }).send(new GetCallerIdentityCommand({}));
    const before = await lookupAll('Username', 'developer');
    await stack.stop();
    stack = await startStack({ home, ports: 0 });
    const after = await lookupAll('Username', 'developer');
    const ids = new Set(after.map((e) => e.EventId));
    expect(before.length).toBeGreaterThan(0);
    for (const event of before) expect(ids.has(event.EventId)).toBe(true);
  });
});
