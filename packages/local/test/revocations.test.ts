import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IamRolePolicyWriter } from '@tessera/broker/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startStack } from '../src/index.js';
import { boto3, type ClientEnv, type Credentials, clientEnv } from './clients/run.js';
import { signIn, tempHome } from './helpers.js';

/**
 * The kill switch end to end, through the local stack and boto3: a revocation refuses erin's new
 * vends (SubjectRevoked in the audit) and, through the managed inline policy the admin route
 * writes with the local IAM, her earlier session at the local S3; alice is untouched; lifting
 * restores new vends.
 */
describe('revoking a subject (local stack, boto3)', { timeout: 180_000 }, () => {
  const { home, cleanup } = tempHome();
  let stack: LocalStack;
  let env: ClientEnv;
  const BUCKET = 'tessera-local-media';
  const tokens: Record<string, string> = {};

  const payload = (jwt: string) =>
    JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, string>;

  async function token(username: string, client: 'app' | 'cli'): Promise<string> {
    const user = stack.info.users.find((u) => u.username === username)!;
    const clientId = stack.info.issuer.clients[client]!;
    const { body } = await signIn(stack.info.cognitoIdp, clientId, username, user.password);
    return body.AuthenticationResult.IdToken;
  }

  const api = (path: string, bearer: string, init: RequestInit = {}) =>
    fetch(`${stack.info.api}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });

  async function vend(who: string, role: string) {
    const res = await api('/v1/credentials', tokens[who]!, {
      method: 'POST',
      body: JSON.stringify({ role }),
    });
    const body = (await res.json()) as { credentials?: Credentials; code?: string };
    return { status: res.status, body };
  }

  const s3 = (operation: string, params: Record<string, unknown>, credentials: Credentials) =>
    boto3(env, {
      service: 's3',
      endpoint: stack.info.s3,
      region: stack.info.region,
      operation,
      params,
      credentials,
    });

  const iam = async (operation: string, params: Record<string, unknown>) => {
    const c = await stack.brokerCredentials();
    return boto3(env, {
      service: 'iam',
      endpoint: stack.info.iam,
      region: stack.info.region,
      operation,
      params,
      credentials: c,
    });
  };

  beforeAll(async () => {
    stack = await startStack({ home, ports: 0 });
    env = clientEnv(home, `[default]\nregion = ${stack.info.region}\n`);
    tokens['erin'] = await token('erin', 'cli');
    tokens['alice'] = await token('alice', 'app');
    tokens['admin'] = await token('admin', 'cli');
  });
  afterAll(async () => {
    await stack?.stop();
    cleanup();
  });

  it('cuts erin off (new vends and her earlier session), leaves alice alone, and lifts', async () => {
    const erinBefore = await vend('erin', 'eng-readonly');
    expect(erinBefore.status).toBe(200);
    const erinCreds = erinBefore.body.credentials!;
    const alice = await vend('alice', 'app-upload');
    expect(alice.status).toBe(200);
    const aliceSub = payload(tokens['alice']!)['sub']!;
    expect((await s3('list_objects_v2', { Bucket: BUCKET }, erinCreds)).ok).toBe(true);

    const revoked = await api('/v1/admin/revocations', tokens['admin']!, {
      method: 'POST',
      body: JSON.stringify({ username: 'erin', reason: 'laptop stolen' }),
    });
    expect(revoked.status).toBe(201);
    const written = (await revoked.json()) as {
      revocation: { id: string; state: string; username: string };
      propagation: { maxDelaySeconds: number };
      roles: { roleArn: string; result: string; fault?: string }[];
      accountsNotUpdated: string[];
    };
    expect(written.revocation).toMatchObject({ username: 'erin', state: 'active' });
    expect(written.propagation.maxDelaySeconds).toBe(5);
    expect(written.roles).toContainEqual(
      expect.objectContaining({
        roleArn: 'arn:aws:iam::111111111111:role/eng-readonly',
        result: 'put',
      }),
    );
    // partner-audit (another account) through that account's revocation writer role.
    expect(written.roles).toContainEqual(
      expect.objectContaining({
        roleArn: 'arn:aws:iam::222222222222:role/partner-audit',
        result: 'put',
      }),
    );
    expect(written.accountsNotUpdated).toEqual([]);

    // Her session from before the revocation: refused by the local S3 at once.
    const denied = await s3('list_objects_v2', { Bucket: BUCKET }, erinCreds);
    expect(denied).toMatchObject({ ok: false, code: 'AccessDenied' });
    const getDenied = await s3('head_bucket', { Bucket: BUCKET }, erinCreds);
    expect(getDenied.ok).toBe(false);

    // The policy is in IAM, as IAM answers it (Query protocol).
    const listed = await iam('list_role_policies', { RoleName: 'eng-readonly' });
    expect(listed).toMatchObject({ ok: true });
    expect((listed as { result: { PolicyNames: string[] } }).result.PolicyNames).toContain(
      'TesseraRevocations',
    );
    const policy = await iam('get_role_policy', {
      RoleName: 'eng-readonly',
      PolicyName: 'TesseraRevocations',
    });
    const document = (policy as { result: { PolicyDocument: unknown } }).result.PolicyDocument;
    expect(JSON.stringify(document)).toContain('"aws:SourceIdentity":["erin"]');
    const persisted = join(home, 'iam', 'role-policies.json');
    expect(existsSync(persisted)).toBe(true);
    expect(
      Object.keys(
        JSON.parse(readFileSync(persisted, 'utf8'))['arn:aws:iam::111111111111:role/eng-readonly'],
      ),
    ).toContain('TesseraRevocations');

    // A new vend is refused with the usual answer; the audit names SubjectRevoked.
    const refused = await vend('erin', 'eng-readonly');
    expect(refused).toMatchObject({ status: 403, body: { code: 'RoleNotPermitted' } });
    const erin = payload(tokens['erin']!);
    const subject = encodeURIComponent(`${erin['iss']}|${erin['sub']}`);
    const audit = await api(`/v1/audit?subject=${subject}&result=deny`, tokens['admin']!);
    const events = ((await audit.json()) as { events: { reason: string; action: string }[] })
      .events;
    expect(events[0]).toMatchObject({ action: 'vend', reason: 'SubjectRevoked' });

    // Alice: her session still writes to her prefix, and she still gets new ones.
    const put = await s3(
      'put_object',
      { Bucket: BUCKET, Key: `uploads/${aliceSub}/after-revocation.txt`, Body: 'still here' },
      alice.body.credentials!,
    );
    expect(put.ok).toBe(true);
    expect((await vend('alice', 'app-upload')).status).toBe(200);

    // The list shows it; lifting restores new vends (the earlier session stays denied).
    const list = await api('/v1/admin/revocations', tokens['admin']!);
    expect(((await list.json()) as { revocations: { id: string }[] }).revocations).toEqual([
      expect.objectContaining({ id: written.revocation.id, state: 'active' }),
    ]);
    const lift = await api(`/v1/admin/revocations/${written.revocation.id}`, tokens['admin']!, {
      method: 'DELETE',
    });
    expect(lift.status).toBe(200);
    expect(((await lift.json()) as { revocation: { state: string } }).revocation.state).toBe(
      'lifted',
    );
    const again = await vend('erin', 'eng-readonly');
    expect(again.status).toBe(200);
    expect((await s3('list_objects_v2', { Bucket: BUCKET }, again.body.credentials!)).ok).toBe(
      true,
    );
    expect((await s3('list_objects_v2', { Bucket: BUCKET }, erinCreds)).ok).toBe(false);
  });

  it('audits every revocation call (writes, listings, refusals) and refuses non-administrators', async () => {
    const refused = await api('/v1/admin/revocations', tokens['erin']!, {
      method: 'POST',
      body: JSON.stringify({ username: 'alice', reason: 'nope' }),
    });
    expect(refused.status).toBe(403);
    const erinSays = payload(tokens['erin']!);
    const erinSubject = encodeURIComponent(`${erinSays['iss']}|${erinSays['sub']}`);
    const erinAudit = await api(`/v1/audit?subject=${erinSubject}&result=deny`, tokens['admin']!);
    const erinEvents = (
      (await erinAudit.json()) as { events: { action: string; reason: string }[] }
    ).events;
    expect(erinEvents[0]).toMatchObject({ action: 'revocation.add', reason: 'AdminRequired' });
    const invalid = await api('/v1/admin/revocations', tokens['admin']!, {
      method: 'POST',
      body: JSON.stringify({ reason: 'who?', until: 'tomorrow' }),
    });
    expect(invalid.status).toBe(400);
    const problem = (await invalid.json()) as { code: string; issues: { field: string }[] };
    expect(problem.code).toBe('InvalidRequest');
    expect(problem.issues.map((i) => i.field).sort()).toEqual(['/subject', '/until']);
    const admin = payload(tokens['admin']!);
    const subject = encodeURIComponent(`${admin['iss']}|${admin['sub']}`);
    const audit = await api(`/v1/audit?subject=${subject}&limit=200`, tokens['admin']!);
    const actions = ((await audit.json()) as { events: { action: string }[] }).events.map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['revocation.add', 'revocation.lift', 'revocation.list']),
    );
  });

  it('the local IAM refuses a role policy over the 10,240-character aggregate (LimitExceeded)', async () => {
    const big = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'x'.repeat(10_300)}` },
      ],
    };
    const out = await iam('put_role_policy', {
      RoleName: 'eng-readonly',
      PolicyName: 'too-big',
      PolicyDocument: JSON.stringify(big),
    });
    expect(out).toMatchObject({ ok: false, code: 'LimitExceeded', status: 409 });
    const missing = await iam('delete_role_policy', {
      RoleName: 'eng-readonly',
      PolicyName: 'nope',
    });
    expect(missing).toMatchObject({ ok: false, code: 'NoSuchEntity' });
  });

  it('the IAM writer adapter: other accounts through the writer role, or named unreachable; IAM refusals as faults', async () => {
    const writer = (writerRoleName: string | null) =>
      new IamRolePolicyWriter({
        accountId: '111111111111',
        region: stack.info.region,
        endpoint: stack.info.iam,
        stsEndpoint: stack.info.sts,
        credentials: stack.brokerCredentials,
        writerRoleName,
      });
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceIdentity': ['nobody'] } },
        },
      ],
    });
    const partner = 'arn:aws:iam::222222222222:role/partner-audit';
    await expect(writer(null).putRolePolicy(partner, 'T', doc)).rejects.toMatchObject({
      name: 'RolePolicyError',
      fault: 'AccountNotReachable',
    });
    await writer('tessera-revocation-writer').putRolePolicy(partner, 'T', doc);
    await writer('tessera-revocation-writer').deleteRolePolicy(partner, 'T');
    // Absent already: what was asked holds.
    await writer('tessera-revocation-writer').deleteRolePolicy(partner, 'T');
    // Not a target role: the broker's policy does not allow it.
    await expect(
      writer(null).putRolePolicy('arn:aws:iam::111111111111:role/tessera-broker', 'T', doc),
    ).rejects.toMatchObject({ fault: 'AccessDenied' });
  });
});
