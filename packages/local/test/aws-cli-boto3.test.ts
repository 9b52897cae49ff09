import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { banner, type LocalStack, startStack } from '../src/index.js';
import {
  awsCli,
  boto3,
  type ClientEnv,
  type Credentials,
  clientEnv,
  credentialProcess,
  credentialVars,
} from './clients/run.js';
import { signIn, tempHome } from './helpers.js';

/**
 * Real clients nobody in this project wrote: Debian's AWS CLI and boto3, spawned per call. A
 * Python start-up takes a second or more on a loaded machine, hence the generous bound per test.
 */
describe('the AWS CLI and boto3 against the local STS and IAM', { timeout: 120_000 }, () => {
  const { home, cleanup } = tempHome();
  let stack: LocalStack;
  let env: ClientEnv;
  let vended: Credentials;
  let developer: Credentials;
  /** Moves the stack's clock (never the clients'). */
  let offset = 0;
  const MAIN = '111111111111';

  beforeAll(async () => {
    stack = await startStack({ home, ports: 0, clock: () => Date.now() + offset });
    const alice = stack.info.users.find((u) => u.username === 'alice')!;
    const settings = {
      cognitoIdp: stack.info.cognitoIdp,
      clientId: stack.info.issuer.clients.app!,
      username: alice.username,
      password: alice.password,
      api: stack.info.api,
      role: 'app-upload',
    };
    env = clientEnv(
      home,
      `[default]\nregion = ${stack.info.region}\n\n[profile vended]\nregion = ${stack.info.region}\n${credentialProcess(home, settings)}\n`,
    );
    const { body } = await signIn(
      stack.info.cognitoIdp,
      settings.clientId,
      alice.username,
      alice.password,
    );
    const res = await fetch(`${stack.info.api}/v1/credentials`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${body.AuthenticationResult.IdToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ role: 'app-upload' }),
    });
    expect(res.status).toBe(200);
    vended = ((await res.json()) as { credentials: Credentials }).credentials;
    const dev = stack.info.iamUsers.find((u) => u.name === 'developer')!;
    developer = { accessKeyId: dev.accessKeyId, secretAccessKey: dev.secretAccessKey };
  });
  afterAll(async () => {
    await stack?.stop();
    cleanup();
  });

  const cli = (args: string[], credentials?: Credentials) =>
    awsCli(env, args, credentials ? credentialVars(credentials) : {});
  const sts = ['sts', 'get-caller-identity', '--endpoint-url'];
  const assumedAppUpload = new RegExp(`^arn:aws:sts::${MAIN}:assumed-role/app-upload/`);

  describe('AWS CLI', () => {
    it('sts get-caller-identity with vended credentials answers the assumed-role session', async () => {
      const out = await cli([...sts, stack.info.sts], vended);
      expect(out.exitCode, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout)).toMatchObject({
        Account: MAIN,
        Arn: expect.stringMatching(assumedAppUpload),
      });
    });

    it("sts get-caller-identity with the seeded IAM user's static keys", async () => {
      const out = await cli([...sts, stack.info.sts], developer);
      expect(out.exitCode, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout).Arn).toBe(`arn:aws:iam::${MAIN}:user/developer`);
    });

    it('sts get-caller-identity through a credential_process profile that vends', async () => {
      const out = await cli([...sts, stack.info.sts, '--profile', 'vended']);
      expect(out.exitCode, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout).Arn).toMatch(assumedAppUpload);
    });

    it('iam get-role answers the role for the IAM user allowed iam:GetRole', async () => {
      const out = await cli(
        ['iam', 'get-role', '--role-name', 'app-upload', '--endpoint-url', stack.info.iam],
        developer,
      );
      expect(out.exitCode, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout).Role).toMatchObject({
        RoleName: 'app-upload',
        Arn: `arn:aws:iam::${MAIN}:role/app-upload`,
      });
    });

    it('a tampered secret gets SignatureDoesNotMatch', async () => {
      const out = await cli([...sts, stack.info.sts], {
        ...vended,
        secretAccessKey: `${vended.secretAccessKey.slice(0, -1)}${vended.secretAccessKey.endsWith('A') ? 'B' : 'A'}`,
      });
      expect(out.exitCode).not.toBe(0);
      expect(out.stderr).toContain('(SignatureDoesNotMatch)');
    });

    it('a server clock 16 minutes ahead refuses the request (SignatureDoesNotMatch: Signature expired)', async () => {
      offset = 16 * 60_000;
      try {
        const out = await cli([...sts, stack.info.sts], developer);
        expect(out.exitCode).not.toBe(0);
        expect(out.stderr).toMatch(/\(SignatureDoesNotMatch\).*Signature expired/);
      } finally {
        offset = 0;
      }
    });
  });

  describe('boto3', () => {
    const call = (
      request: Omit<Parameters<typeof boto3>[1], 'region' | 'endpoint' | 'service'>,
      service = 'sts',
    ) =>
      boto3(env, {
        service,
        region: stack.info.region,
        endpoint: service === 'sts' ? stack.info.sts : stack.info.iam,
        ...request,
      });

    it('get_caller_identity with vended credentials, static keys and a credential_process profile', async () => {
      const withVended = await call({ operation: 'get_caller_identity', credentials: vended });
      expect(withVended).toMatchObject({
        ok: true,
        result: { Arn: expect.stringMatching(assumedAppUpload) },
      });
      const withKeys = await call({ operation: 'get_caller_identity', credentials: developer });
      expect(withKeys).toMatchObject({
        ok: true,
        result: { Arn: `arn:aws:iam::${MAIN}:user/developer` },
      });
      const withProfile = await call({ operation: 'get_caller_identity', profile: 'vended' });
      expect(withProfile).toMatchObject({
        ok: true,
        result: { Arn: expect.stringMatching(assumedAppUpload) },
      });
    });

    it('iam get_role, and AccessDenied for vended app-upload credentials (no iam:GetRole)', async () => {
      const allowed = await call(
        { operation: 'get_role', params: { RoleName: 'app-upload' }, credentials: developer },
        'iam',
      );
      expect(allowed).toMatchObject({ ok: true, result: { Role: { RoleName: 'app-upload' } } });
      const denied = await call(
        { operation: 'get_role', params: { RoleName: 'app-upload' }, credentials: vended },
        'iam',
      );
      expect(denied).toMatchObject({ ok: false, code: 'AccessDenied', status: 403 });
    });

    it('a tampered secret gets SignatureDoesNotMatch, an unknown key InvalidClientTokenId', async () => {
      const tampered = await call({
        operation: 'get_caller_identity',
        credentials: { ...developer, secretAccessKey: `${developer.secretAccessKey}x` },
      });
      expect(tampered).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch', status: 403 });
      const unknown = await call({
        operation: 'get_caller_identity',
        credentials: {
          accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
          secretAccessKey: developer.secretAccessKey,
        },
      });
      expect(unknown).toMatchObject({ ok: false, code: 'InvalidClientTokenId', status: 403 });
    });

    it('a presigned get_caller_identity URL works with a plain fetch; changed or expired it is refused', async () => {
      const presigned = await call({
        operation: 'get_caller_identity',
        credentials: vended,
        presign: 60,
        httpMethod: 'GET',
      });
      if (!presigned.ok) throw new Error(`presign failed: ${presigned.code}`);
      const url = presigned.result as string;
      expect(url).toContain('X-Amz-Signature=');
      expect(url).toContain('X-Amz-Security-Token=');
      const ok = await fetch(url);
      const body = await ok.text();
      expect(ok.status, body).toBe(200);
      expect(body).toMatch(/<Arn>arn:aws:sts::111111111111:assumed-role\/app-upload\//);

      const changed = await fetch(url.replace('Version=2011-06-15', 'Version=2011-06-16'));
      expect(changed.status).toBe(403);
      // The Query protocol's error document, as STS sends it.
      expect(changed.headers.get('content-type')).toBe('text/xml');
      expect(await changed.text()).toMatch(
        /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/">\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>SignatureDoesNotMatch<\/Code>\s*<Message>[^<]+<\/Message>\s*<\/Error>\s*<RequestId>[0-9a-f-]{36}<\/RequestId>\s*<\/ErrorResponse>\s*$/,
      );

      offset = 2 * 60_000; // past X-Amz-Expires=60
      try {
        const expired = await fetch(url);
        expect(expired.status).toBe(403);
        expect(await expired.text()).toMatch(
          /<Code>SignatureDoesNotMatch<\/Code>\s*<Message>Signature expired/,
        );
      } finally {
        offset = 0;
      }
    });

    it('a presigned IAM get_role URL works with a plain fetch', async () => {
      const presigned = await call(
        {
          operation: 'get_role',
          params: { RoleName: 'eng-readonly' },
          credentials: developer,
          presign: 300,
          httpMethod: 'GET',
        },
        'iam',
      );
      if (!presigned.ok) throw new Error(`presign failed: ${presigned.code}`);
      const res = await fetch(presigned.result as string);
      const body = await res.text();
      expect(res.status, body).toBe(200);
      expect(body).toContain('<RoleName>eng-readonly</RoleName>');
    });
  });

  it("the banner's copy-paste session runs as printed: the CLI and boto3 see the vended session, S3 takes her upload and refuses another prefix", async () => {
    const text = banner(stack.info, stack.config.tokenUse);
    const start = text.indexOf('Try it (copy-paste):\n') + 'Try it (copy-paste):\n'.length;
    const session = text.slice(start, text.indexOf('\nCtrl-C', start)).replace(/^ {2}/gm, '');
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-euo', 'pipefail', '-c', session],
        { env: env.vars, cwd: env.dir, timeout: 120_000 },
        (err, stdout, stderr) =>
          resolve({
            code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
            stdout,
            stderr,
          }),
      );
    });
    expect(out.code, out.stderr).toBe(0);
    const arns = out.stdout.match(/arn:aws:sts::111111111111:assumed-role\/app-upload\/[^"\s]+/g);
    // One from the AWS CLI's JSON, one printed by boto3.
    expect(arns).toHaveLength(2);
    // Job 1 through the local S3: her own prefix takes the upload, another user's refuses it.
    expect(out.stdout).toMatch(
      /upload: \.\/hello\.txt to s3:\/\/tessera-local-media\/uploads\/[0-9a-f-]{36}\/hello\.txt/,
    );
    expect(out.stderr).toContain('AccessDenied');
    expect(out.stdout).toContain('refused, as it should be');
  });
});
