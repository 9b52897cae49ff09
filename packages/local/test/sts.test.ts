import { readFileSync } from 'node:fs';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG_PATH,
  type LocalStack,
  parseLocalConfig,
  startStack,
} from '../src/index.js';
import { tempHome } from './helpers.js';

const REGION = 'eu-west-1';
const MAIN = '111111111111';
const APP_UPLOAD = `arn:aws:iam::${MAIN}:role/app-upload`;
const ENG = `arn:aws:iam::${MAIN}:role/eng-readonly`;
const PARTNER = 'arn:aws:iam::222222222222:role/partner-audit';
const DEV_ROLE = `arn:aws:iam::${MAIN}:role/dev-role`;
const CHAIN = `arn:aws:iam::${MAIN}:role/chain-target`;
const BROKER_NAMED = `arn:aws:iam::${MAIN}:role/broker-named`;
const ACCOUNT_TRUSTED = `arn:aws:iam::${MAIN}:role/account-trusted`;

/** The committed config plus roles only these tests use. */
function testConfig() {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  raw.roles.push(
    {
      name: 'dev-role',
      account: MAIN,
      maxSessionDuration: 7200,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${MAIN}:user/developer` },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      policies: {},
    },
    {
      name: 'chain-target',
      account: MAIN,
      maxSessionDuration: 3600,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: ENG },
            Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          },
        ],
      },
      policies: {},
    },
    {
      // Trusts the broker role by ARN; the broker's identity policy does not list it.
      name: 'broker-named',
      account: MAIN,
      maxSessionDuration: 3600,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${MAIN}:role/tessera-broker` },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      policies: {},
    },
    {
      // Trusts the account only: it delegates to the callers' identity policies.
      name: 'account-trusted',
      account: MAIN,
      maxSessionDuration: 3600,
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${MAIN}:root` },
            Action: 'sts:AssumeRole',
          },
        ],
      },
      policies: {},
    },
  );
  // eng-readonly sessions may chain into chain-target.
  raw.roles.find((r: { name: string }) => r.name === 'eng-readonly').policies.chain = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: CHAIN },
    ],
  };
  return parseLocalConfig(raw, 'test config');
}

async function stsError(
  p: Promise<unknown>,
): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(STSServiceException);
    const e = err as STSServiceException;
    return { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail');
}

describe('local STS and IAM through the real SDK clients', () => {
  const { home, cleanup } = tempHome();
  let stack: LocalStack;
  let offset = 0;
  let broker: STSClient;
  let developer: STSClient;

  const client = (
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
    extra = {},
  ) =>
    new STSClient({
      region: REGION,
      endpoint: stack.info.sts,
      credentials,
      maxAttempts: 1,
      ...extra,
    });

  beforeAll(async () => {
    stack = await startStack({
      home,
      ports: 0,
      config: testConfig(),
      clock: () => Date.now() + offset,
    });
    broker = client(await stack.brokerCredentials());
    const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    developer = client({ accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey });
  });
  afterAll(async () => {
    await stack?.stop();
    cleanup();
  });

  it('GetCallerIdentity names the broker role session and the IAM user', async () => {
    const me = await broker.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({
      Account: MAIN,
      Arn: `arn:aws:sts::${MAIN}:assumed-role/tessera-broker/tessera-local`,
      UserId: expect.stringMatching(/^AROA[A-Z2-7]{17}:tessera-local$/),
    });
    const dev = await developer.send(new GetCallerIdentityCommand({}));
    expect(dev.Arn).toBe(`arn:aws:iam::${MAIN}:user/developer`);
    expect(dev.UserId).toMatch(/^AIDA/);
  });

  it('AssumeRole allowed by trust and identity answers ASIA credentials that work', async () => {
    const out = await broker.send(
      new AssumeRoleCommand({
        RoleArn: APP_UPLOAD,
        RoleSessionName: 'alice',
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MAIN}:assumed-role/app-upload/alice`);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:alice$/);
    const lifetime = out.Credentials!.Expiration!.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(880_000);
    expect(lifetime).toBeLessThanOrEqual(901_000);
    const session = client({
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    const me = await session.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${MAIN}:assumed-role/app-upload/alice`);
  });

  it('AssumeRole the trust policy does not allow is AccessDenied (403)', async () => {
    // The developer's identity policy allows sts:AssumeRole on *, but app-upload trusts only the broker.
    const err = await stsError(
      developer.send(new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 'dev' })),
    );
    expect(err).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(err.message).toContain(
      `User: arn:aws:iam::${MAIN}:user/developer is not authorized to perform: sts:AssumeRole on resource: ${APP_UPLOAD}`,
    );
  });

  it('AssumeRole by a caller the trust policy does not name is AccessDenied', async () => {
    // dev-role trusts the developer user only; the broker's identity policy does not name it either.
    const err = await stsError(
      broker.send(new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'x1' })),
    );
    expect(err.name).toBe('AccessDenied');
  });

  it('a same-account trust policy naming the caller role is enough without an identity-policy Allow', async () => {
    // AWS: a trust policy must explicitly allow the principal; when it names the caller's role ARN
    // (same account, no session policy), the caller's identity policy need not allow too.
    const out = await broker.send(
      new AssumeRoleCommand({ RoleArn: BROKER_NAMED, RoleSessionName: 'named' }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MAIN}:assumed-role/broker-named/named`);
  });

  it('a trust policy naming only the account needs the caller identity policy to allow too', async () => {
    // The developer's identity policy allows sts:AssumeRole on *: the account trust delegates to it.
    const dev = await developer.send(
      new AssumeRoleCommand({ RoleArn: ACCOUNT_TRUSTED, RoleSessionName: 'dev' }),
    );
    expect(dev.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MAIN}:assumed-role/account-trusted/dev`);
    // The broker's identity policy does not list account-trusted: refused.
    const err = await stsError(
      broker.send(new AssumeRoleCommand({ RoleArn: ACCOUNT_TRUSTED, RoleSessionName: 'broker' })),
    );
    expect(err).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(err.message).toContain(
      `not authorized to perform: sts:AssumeRole on resource: ${ACCOUNT_TRUSTED}`,
    );
  });

  it('a caller trusted by its role ARN is refused when its session policy does not allow sts:AssumeRole', async () => {
    // chain-target trusts the eng-readonly role ARN, which AWS limits by an implicit deny in the
    // calling session's session policy (here: s3:GetObject only).
    const scoped = await broker.send(
      new AssumeRoleCommand({
        RoleArn: ENG,
        RoleSessionName: 'scoped',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }],
        }),
      }),
    );
    const scopedClient = client({
      accessKeyId: scoped.Credentials!.AccessKeyId!,
      secretAccessKey: scoped.Credentials!.SecretAccessKey!,
      sessionToken: scoped.Credentials!.SessionToken!,
    });
    const err = await stsError(
      scopedClient.send(new AssumeRoleCommand({ RoleArn: CHAIN, RoleSessionName: 'c0' })),
    );
    expect(err).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('a cross-account role needs its ExternalId', async () => {
    const without = await stsError(
      broker.send(new AssumeRoleCommand({ RoleArn: PARTNER, RoleSessionName: 'olga' })),
    );
    expect(without.name).toBe('AccessDenied');
    const wrong = await stsError(
      broker.send(
        new AssumeRoleCommand({
          RoleArn: PARTNER,
          RoleSessionName: 'olga',
          ExternalId: 'guess-1234',
        }),
      ),
    );
    expect(wrong.name).toBe('AccessDenied');
    const ok = await broker.send(
      new AssumeRoleCommand({
        RoleArn: PARTNER,
        RoleSessionName: 'olga',
        ExternalId: 'tessera-partner-7f3c',
      }),
    );
    expect(ok.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::222222222222:assumed-role/partner-audit/olga',
    );
  });

  it('role chaining caps DurationSeconds at one hour', async () => {
    const err = await stsError(
      broker.send(
        new AssumeRoleCommand({ RoleArn: ENG, RoleSessionName: 'erin', DurationSeconds: 7200 }),
      ),
    );
    expect(err).toMatchObject({ name: 'ValidationError', status: 400 });
    expect(err.message).toBe(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  });

  it('a user (not chaining) gets up to the role MaxSessionDuration, not beyond', async () => {
    const ok = await developer.send(
      new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'dev', DurationSeconds: 7200 }),
    );
    expect(ok.Credentials!.Expiration!.getTime()).toBeGreaterThan(Date.now() + 7100_000);
    const err = await stsError(
      developer.send(
        new AssumeRoleCommand({
          RoleArn: DEV_ROLE,
          RoleSessionName: 'dev',
          DurationSeconds: 10800,
        }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe(
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  });

  it('a session policy with a character beyond U+00FF is a ValidationError naming the pattern', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/\u4e00/*' }],
    });
    const err = await stsError(
      broker.send(
        new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 's1', Policy: policy }),
      ),
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toContain(
      "at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
  });

  it('session policies: over 2048 characters is a ValidationError, over the packed budget PackedPolicyTooLarge', async () => {
    const long = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'a'.repeat(2100)}` },
      ],
    });
    const tooLong = await stsError(
      broker.send(
        new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 's1', Policy: long }),
      ),
    );
    expect(tooLong.name).toBe('ValidationError');
    expect(tooLong.message).toContain("at 'policy' failed to satisfy constraint");
    // High-entropy resources do not compress: under 2048 characters, over the packed budget.
    const resources = Array.from(
      { length: 24 },
      (_, i) =>
        `arn:aws:s3:::b${i}/${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
    );
    const dense = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: resources }],
    });
    expect(dense.length).toBeLessThanOrEqual(2048);
    const packed = await stsError(
      broker.send(
        new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 's2', Policy: dense }),
      ),
    );
    // The wire code is PackedPolicyTooLarge; the SDK surfaces its modeled exception.
    expect(packed).toMatchObject({ name: 'PackedPolicyTooLargeException', status: 400 });
    expect(packed.message).toMatch(
      /^Packed policy consumes \d+% of allotted space, please use smaller policy\.$/,
    );
    const small = await broker.send(
      new AssumeRoleCommand({
        RoleArn: APP_UPLOAD,
        RoleSessionName: 's3',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::tessera-local-media/uploads/x/*',
            },
          ],
        }),
      }),
    );
    expect(small.PackedPolicySize).toBeGreaterThan(0);
    expect(small.PackedPolicySize).toBeLessThanOrEqual(100);
  });

  it('a session policy sent again is judged as the first time (compiled and sized once)', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::tessera-local-media/r/*',
        },
      ],
    });
    const send = (name: string, Policy: string) =>
      broker.send(new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: name, Policy }));
    const first = await send('again-1', policy);
    const second = await send('again-2', policy);
    expect(second.PackedPolicySize).toBe(first.PackedPolicySize);
    expect(second.Credentials?.AccessKeyId).not.toBe(first.Credentials?.AccessKeyId);
    for (const name of ['again-3', 'again-4']) {
      const err = await stsError(send(name, '{"Statement":'));
      expect(err.name).toBe('MalformedPolicyDocumentException');
    }
  });

  it('a malformed session policy is MalformedPolicyDocument', async () => {
    const err = await stsError(
      broker.send(
        new AssumeRoleCommand({
          RoleArn: APP_UPLOAD,
          RoleSessionName: 's4',
          Policy: '{"Statement":',
        }),
      ),
    );
    expect(err.name).toBe('MalformedPolicyDocumentException');
  });

  it('tags: more than 50, duplicate keys, and tags without sts:TagSession are refused', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const tooMany = await stsError(
      broker.send(
        new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 't1', Tags: many }),
      ),
    );
    expect(tooMany.name).toBe('ValidationError');
    expect(tooMany.message).toContain(
      "at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
    const dup = await stsError(
      broker.send(
        new AssumeRoleCommand({
          RoleArn: APP_UPLOAD,
          RoleSessionName: 't2',
          Tags: [
            { Key: 'Team', Value: 'a' },
            { Key: 'team', Value: 'b' },
          ],
        }),
      ),
    );
    expect(dup.name).toBe('ValidationError');
    const noTagSession = await stsError(
      developer.send(
        new AssumeRoleCommand({
          RoleArn: DEV_ROLE,
          RoleSessionName: 't3',
          Tags: [{ Key: 'team', Value: 'x' }],
        }),
      ),
    );
    expect(noTagSession.name).toBe('AccessDenied');
    expect(noTagSession.message).toContain('sts:TagSession');
    const ok = await broker.send(
      new AssumeRoleCommand({
        RoleArn: APP_UPLOAD,
        RoleSessionName: 't4',
        Tags: [{ Key: 'team', Value: 'media' }],
      }),
    );
    expect(ok.PackedPolicySize).toBeGreaterThan(0);
  });

  it('RoleSessionName and SourceIdentity are checked for charset and length', async () => {
    const name = await stsError(
      broker.send(new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 'has space' })),
    );
    expect(name.name).toBe('ValidationError');
    expect(name.message).toContain(
      "at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );
    const si = await stsError(
      broker.send(
        new AssumeRoleCommand({
          RoleArn: APP_UPLOAD,
          RoleSessionName: 'ok',
          SourceIdentity: 'x'.repeat(65),
        }),
      ),
    );
    expect(si.name).toBe('ValidationError');
  });

  it('a source identity, once set, stays for the whole role chain', async () => {
    const eng = await broker.send(
      new AssumeRoleCommand({ RoleArn: ENG, RoleSessionName: 'erin', SourceIdentity: 'erin' }),
    );
    expect(eng.SourceIdentity).toBe('erin');
    const engClient = client({
      accessKeyId: eng.Credentials!.AccessKeyId!,
      secretAccessKey: eng.Credentials!.SecretAccessKey!,
      sessionToken: eng.Credentials!.SessionToken!,
    });
    const changed = await stsError(
      engClient.send(
        new AssumeRoleCommand({ RoleArn: CHAIN, RoleSessionName: 'c1', SourceIdentity: 'mallory' }),
      ),
    );
    expect(changed.name).toBe('AccessDenied');
    const carried = await engClient.send(
      new AssumeRoleCommand({ RoleArn: CHAIN, RoleSessionName: 'c2' }),
    );
    expect(carried.SourceIdentity).toBe('erin');
  });

  it('rejects a wrong secret (SignatureDoesNotMatch) and an unknown key (InvalidClientTokenId)', async () => {
    const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const wrong = await stsError(
      client({
        accessKeyId: dev.accessKeyId,
        secretAccessKey: `${dev.secretAccessKey.slice(0, -1)}x`,
      }).send(new GetCallerIdentityCommand({})),
    );
    expect(wrong).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    const unknown = await stsError(
      client({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(unknown).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    const creds = await stack.brokerCredentials();
    const badToken = await stsError(
      client({ ...creds, sessionToken: `${creds.sessionToken}x` }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(badToken.name).toBe('InvalidClientTokenId');
  });

  it('accepts a clock 14 minutes off and refuses one 16 minutes off (SignatureDoesNotMatch, as STS answers)', async () => {
    const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    const skewedBy = (minutes: number) =>
      client(
        { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey },
        { systemClockOffset: minutes * 60_000 },
      );
    const within = await skewedBy(-14).send(new GetCallerIdentityCommand({}));
    expect(within.Arn).toBe(`arn:aws:iam::${MAIN}:user/developer`);
    const late = await stsError(skewedBy(-16).send(new GetCallerIdentityCommand({})));
    expect(late).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(late.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than /);
    const early = await stsError(skewedBy(16).send(new GetCallerIdentityCommand({})));
    expect(early).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(early.message).toMatch(/^Signature not yet current: /);
  });

  it('an expired session answers ExpiredToken', async () => {
    const out = await developer.send(
      new AssumeRoleCommand({ RoleArn: DEV_ROLE, RoleSessionName: 'short', DurationSeconds: 900 }),
    );
    const session = client({
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    offset = 901_000;
    try {
      const err = await stsError(session.send(new GetCallerIdentityCommand({})));
      expect(err.name).toBe('ExpiredToken');
    } finally {
      offset = 0;
    }
  });

  describe('IAM GetRole', () => {
    const iam = async () =>
      new IAMClient({
        region: REGION,
        endpoint: stack.info.iam,
        credentials: await stack.brokerCredentials(),
        maxAttempts: 1,
      });

    it('answers a role of the caller account with its MaxSessionDuration and trust policy', async () => {
      const out = await (await iam()).send(new GetRoleCommand({ RoleName: 'eng-readonly' }));
      expect(out.Role).toMatchObject({
        RoleName: 'eng-readonly',
        Arn: ENG,
        Path: '/',
        MaxSessionDuration: 43200,
        RoleId: expect.stringMatching(/^AROA/),
      });
      expect(out.Role?.CreateDate).toBeInstanceOf(Date);
      const trust = JSON.parse(decodeURIComponent(out.Role!.AssumeRolePolicyDocument!));
      expect(trust.Statement[0].Principal.AWS).toBe(`arn:aws:iam::${MAIN}:role/tessera-broker`);
    });

    it('answers NoSuchEntity for an unknown role and for a role of another account', async () => {
      const client = await iam();
      await expect(client.send(new GetRoleCommand({ RoleName: 'nope' }))).rejects.toMatchObject({
        name: 'NoSuchEntityException',
        $metadata: { httpStatusCode: 404 },
      });
      await expect(
        client.send(new GetRoleCommand({ RoleName: 'partner-audit' })),
      ).rejects.toMatchObject({
        name: 'NoSuchEntityException',
      });
    });

    it('needs iam:GetRole in the caller identity policy', async () => {
      const out = await broker.send(
        new AssumeRoleCommand({ RoleArn: APP_UPLOAD, RoleSessionName: 'no-iam' }),
      );
      const client = new IAMClient({
        region: REGION,
        endpoint: stack.info.iam,
        maxAttempts: 1,
        credentials: {
          accessKeyId: out.Credentials!.AccessKeyId!,
          secretAccessKey: out.Credentials!.SecretAccessKey!,
          sessionToken: out.Credentials!.SessionToken!,
        },
      });
      await expect(
        client.send(new GetRoleCommand({ RoleName: 'app-upload' })),
      ).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    });
  });
});
