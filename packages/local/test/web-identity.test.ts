/**
 * (The SDK names STS's wire codes InvalidIdentityToken and IDPRejectedClaim with an `Exception`
 * suffix; the XML carries AWS's codes.)
 *
 * The local STS's AssumeRoleWithWebIdentity through the unchanged `@aws-sdk/client-sts` (unsigned,
 * as in AWS), with tokens signed by the stack's own web-identity key file and validated against
 * the discovery document and JWKS the local API serves.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { mintWebIdentityToken, type WebIdentityTokenInput } from '@tessera/broker';
import { FileKeyRing } from '@tessera/broker/file-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_OIDC_AUDIENCE,
  LOCAL_OIDC_ISSUER,
  type LocalStack,
  startStack,
} from '../src/index.js';
import { tempHome } from './helpers.js';

const WORKDAY = 'arn:aws:iam::111111111111:role/eng-workday';
const ENG = 'arn:aws:iam::111111111111:role/eng-readonly';
const { home, cleanup } = tempHome();
let stack: LocalStack;
let sts: STSClient;

const claims = (over: Partial<WebIdentityTokenInput> = {}): WebIdentityTokenInput => ({
  issuer: LOCAL_OIDC_ISSUER,
  audience: LOCAL_OIDC_AUDIENCE,
  userPoolId: 'eu-west-1_Tessera1',
  subject: 'erin-sub',
  tags: [{ Key: 'team', Value: 'platform' }],
  transitiveTagKeys: [],
  sourceIdentity: 'erin',
  now: new Date(),
  jti: 'test-jti',
  ...over,
});

async function token(over: Partial<WebIdentityTokenInput> = {}): Promise<string> {
  const keys = FileKeyRing.open(home, new Date());
  const input = claims(over);
  return (await mintWebIdentityToken(keys.active(new Date()), input)).token;
}

async function assume(webIdentityToken: string, roleArn = WORKDAY, durationSeconds = 8 * 3600) {
  return sts.send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: roleArn,
      RoleSessionName: 'erin',
      WebIdentityToken: webIdentityToken,
      DurationSeconds: durationSeconds,
    }),
  );
}

async function refusal(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    if (err instanceof STSServiceException)
      return { name: err.name, status: err.$metadata.httpStatusCode };
    throw err;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  stack = await startStack({ home, ports: 0, writeInfo: false });
  sts = new STSClient({ region: 'eu-west-1', endpoint: stack.info.sts });
});
afterAll(async () => {
  await stack?.stop();
  cleanup();
});

describe('the local API serves the issuer', () => {
  it('discovery names the local issuer; the JWKS holds the key that signs', async () => {
    const discovery = await fetch(`${stack.info.api}/.well-known/openid-configuration`);
    expect(discovery.headers.get('cache-control')).toBe('public, max-age=300');
    expect(await discovery.json()).toMatchObject({
      issuer: LOCAL_OIDC_ISSUER,
      jwks_uri: `${LOCAL_OIDC_ISSUER}/.well-known/jwks.json`,
    });
    const jwks = (await (await fetch(`${stack.info.api}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((k) => k.kid)).toContain(
      FileKeyRing.open(home, new Date()).active(new Date()).kid,
    );
  });
});

describe('AssumeRoleWithWebIdentity (local STS, unsigned)', () => {
  it("grants an 8-hour session to a role trusting the provider, with the token's SourceIdentity", async () => {
    const before = Date.now();
    const out = await assume(await token());
    const expiration = out.Credentials!.Expiration!.getTime();
    expect(expiration - before).toBeGreaterThan(8 * 3600_000 - 5_000);
    expect(expiration - before).toBeLessThanOrEqual(8 * 3600_000 + 1_000);
    expect(out.SubjectFromWebIdentityToken).toBe('eu-west-1_Tessera1|erin-sub');
    expect(out.Audience).toBe(LOCAL_OIDC_AUDIENCE);
    expect(out.Provider).toBe(LOCAL_OIDC_ISSUER);
    expect(out.SourceIdentity).toBe('erin');
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:aws:sts::111111111111:assumed-role/eng-workday/erin',
    );
    const session = new STSClient({
      region: 'eu-west-1',
      endpoint: stack.info.sts,
      credentials: {
        accessKeyId: out.Credentials!.AccessKeyId!,
        secretAccessKey: out.Credentials!.SecretAccessKey!,
        sessionToken: out.Credentials!.SessionToken!,
      },
    });
    const me = await session.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe('arn:aws:sts::111111111111:assumed-role/eng-workday/erin');
  });

  it("refuses beyond the role's MaxSessionDuration (12 h) with ValidationError", async () => {
    expect(await refusal(assume(await token(), WORKDAY, 43_201))).toMatchObject({
      name: 'ValidationError',
    });
  });

  it('refuses an expired token: ExpiredTokenException', async () => {
    const stale = await token({ now: new Date(Date.now() - 301_000) });
    expect(await refusal(assume(stale))).toEqual({ name: 'ExpiredTokenException', status: 400 });
  });

  it('refuses a token for another audience: InvalidIdentityToken', async () => {
    const other = await token({ audience: 'another-client' });
    expect(await refusal(assume(other))).toEqual({
      name: 'InvalidIdentityTokenException',
      status: 400,
    });
  });

  it('refuses a token of an issuer with no provider in the account, and a forged signature', async () => {
    const foreign = await token({ issuer: 'https://elsewhere.example.com' });
    expect(await refusal(assume(foreign))).toMatchObject({ name: 'InvalidIdentityTokenException' });
    const good = await token();
    const [h, p] = good.split('.');
    const forged = `${h}.${p}.${Buffer.alloc(64, 7).toString('base64url')}`;
    expect(await refusal(assume(forged))).toMatchObject({ name: 'InvalidIdentityTokenException' });
  });

  it('a role whose trust does not name the provider refuses: AccessDenied', async () => {
    expect(await refusal(assume(await token(), ENG, 3600))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it("the trust policy's sub condition holds: a user of another pool is refused", async () => {
    const otherPool = await token({ userPoolId: 'eu-west-1_Other' });
    expect(await refusal(assume(otherPool))).toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses malformed session-tag claims: IDPRejectedClaim', async () => {
    const bad = await token({ tags: [{ Key: 'aws:team', Value: 'x' }] });
    expect(await refusal(assume(bad))).toMatchObject({ name: 'IDPRejectedClaimException' });
  });
});

describe('AssumeRoleWithWebIdentity from the AWS CLI and boto3 (unsigned, as they send it)', () => {
  // Asynchronous: the stack answers from this process, so a blocking spawn would deadlock.
  const run = async (file: string, args: string[]) =>
    (await promisify(execFile)(file, args, { env: env(), encoding: 'utf8' })).stdout;
  const env = () => ({
    ...process.env,
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_DEFAULT_REGION: 'eu-west-1',
  });

  it('aws sts assume-role-with-web-identity gets the 8-hour session', async () => {
    const out = await run('aws', [
      'sts',
      'assume-role-with-web-identity',
      '--endpoint-url',
      stack.info.sts,
      '--role-arn',
      WORKDAY,
      '--role-session-name',
      'erin',
      '--duration-seconds',
      '28800',
      '--web-identity-token',
      await token(),
      '--output',
      'json',
    ]);
    const parsed = JSON.parse(out) as {
      Credentials: { Expiration: string };
      SourceIdentity: string;
      AssumedRoleUser: { Arn: string };
    };
    expect(parsed.AssumedRoleUser.Arn).toBe(
      'arn:aws:sts::111111111111:assumed-role/eng-workday/erin',
    );
    expect(parsed.SourceIdentity).toBe('erin');
    expect(Date.parse(parsed.Credentials.Expiration) - Date.now()).toBeGreaterThan(
      28_800_000 - 60_000,
    );
  }, 60_000);

  it('boto3 gets it too, and an expired token is refused with ExpiredTokenException', async () => {
    const script = `
import json, sys, boto3, botocore
sts = boto3.client('sts', endpoint_url=sys.argv[1], region_name='eu-west-1')
out = {}
r = sts.assume_role_with_web_identity(RoleArn=sys.argv[2], RoleSessionName='erin', WebIdentityToken=sys.argv[3], DurationSeconds=28800)
out['arn'] = r['AssumedRoleUser']['Arn']
out['seconds'] = (r['Credentials']['Expiration'].timestamp())
try:
    sts.assume_role_with_web_identity(RoleArn=sys.argv[2], RoleSessionName='erin', WebIdentityToken=sys.argv[4])
    out['expired'] = 'granted'
except botocore.exceptions.ClientError as e:
    out['expired'] = e.response['Error']['Code']
print(json.dumps(out))
`;
    const stale = await token({ now: new Date(Date.now() - 301_000) });
    const out = await run('python3', ['-c', script, stack.info.sts, WORKDAY, await token(), stale]);
    const parsed = JSON.parse(out) as { arn: string; seconds: number; expired: string };
    expect(parsed.arn).toBe('arn:aws:sts::111111111111:assumed-role/eng-workday/erin');
    expect(parsed.seconds * 1000 - Date.now()).toBeGreaterThan(28_800_000 - 60_000);
    expect(parsed.expired).toBe('ExpiredTokenException');
  }, 60_000);
});
