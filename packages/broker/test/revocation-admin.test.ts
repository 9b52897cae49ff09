import { describe, expect, it } from 'vitest';
import {
  createBroker,
  createRevocationAdmin,
  fixedClock,
  permissionSnapshot,
  RevocationError,
  ROLE_INLINE_POLICY_CHARS,
} from '../src/index.js';
import {
  MemoryAuditSink,
  MemoryBindingStore,
  MemoryCredentialVendor,
  MemoryRolePolicyWriter,
  MemoryTokenVerifier,
} from '../src/testing.js';
import { ACCOUNT, binding, ISSUER, NOW, origin, token, trustFor } from './fixtures.js';

const roleArn = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const ADMIN = `${ISSUER}|admin`;

function setup(options: { otherInline?: number } = {}) {
  const other = options.otherInline
    ? permissionSnapshot([
        {
          kind: 'inline',
          name: 'big',
          document: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:GetObject',
                Resource: `arn:aws:s3:::${'x'.repeat(options.otherInline)}`,
              },
            ],
          },
        },
      ])
    : null;
  const store = new MemoryBindingStore([
    binding({ id: 'a', roleArn: roleArn('a'), permissionPolicies: other }),
    binding({ id: 'b', roleArn: roleArn('b'), roleMaxSessionDuration: 43_200 }),
    binding({ id: 'c', roleArn: roleArn('c', '444455556666') }),
  ]);
  const writer = new MemoryRolePolicyWriter();
  let clock = NOW;
  const admin = createRevocationAdmin({
    store,
    writer,
    issuers: [ISSUER],
    cacheSeconds: 30,
    clock: { now: () => clock },
  });
  return {
    store,
    writer,
    admin,
    tick: (s: number) => (clock = new Date(clock.getTime() + s * 1000)),
  };
}

describe('revocation writes', () => {
  it('write the managed policy on every target role and say which accounts could not be', async () => {
    const { writer, admin } = setup();
    writer.faults.set(roleArn('c', '444455556666'), 'AccountNotReachable');
    const written = await admin.add(ISSUER, { username: 'erin', reason: 'laptop' }, ADMIN);
    expect(written.propagation.maxDelaySeconds).toBe(30);
    expect(written.roles.map((r) => [r.roleArn, r.result, r.fault])).toEqual([
      [roleArn('a'), 'put', undefined],
      [roleArn('b'), 'put', undefined],
      [roleArn('c', '444455556666'), 'failed', 'AccountNotReachable'],
    ]);
    expect(written.accountsNotUpdated).toEqual(['444455556666']);
    expect(writer.policies.get(roleArn('a'))?.get('TesseraRevocations')).toContain('"erin"');
  });

  it('refuse the subject at the decide stage from the next load, and lift', async () => {
    const { store, admin, writer } = setup();
    const caller = token({
      claims: { 'cognito:username': 'erin', 'cognito:groups': ['uploaders'] },
    });
    const audit = new MemoryAuditSink();
    const broker = createBroker({
      verifier: new MemoryTokenVerifier({ t: caller }),
      bindings: store,
      vendor: new MemoryCredentialVendor(() => NOW),
      audit,
      clock: fixedClock(NOW),
    });
    const vend = () => broker.vend({ rawToken: 't', role: 'a', origin });
    expect((await vend()).kind).toBe('grant');
    const written = await admin.add(ISSUER, { username: 'erin', reason: 'laptop' }, ADMIN);
    expect(await vend()).toMatchObject({ kind: 'deny', stage: 'decide', code: 'SubjectRevoked' });
    expect(audit.events.at(-1)).toMatchObject({ result: 'deny', reason: 'SubjectRevoked' });
    const lifted = await admin.lift(ISSUER, written.revocation.id, ADMIN);
    expect(lifted.revocation.state).toBe('lifted');
    expect((await vend()).kind).toBe('grant');
    // The sessions from before stay denied: the entry stays until they expire.
    expect(writer.policies.get(roleArn('a'))?.get('TesseraRevocations')).toContain('"erin"');
    await expect(admin.lift(ISSUER, written.revocation.id, ADMIN)).rejects.toMatchObject({
      code: 'RevocationNotFound',
    });
  });

  it('by sub: refuses the token with that sub, whatever its username', async () => {
    const { store, admin } = setup();
    const sub = 'a1b2c3d4-0000-4000-8000-000000000001';
    await admin.add(ISSUER, { subject: sub, reason: 'left the company' }, ADMIN);
    const pool = await store.loadPool(ISSUER);
    expect(pool.revocations[0]).toMatchObject({ subject: sub, issuer: ISSUER });
  });

  it('policy entries and spent revocations drop out once their sessions have expired', async () => {
    const { store, admin, writer, tick } = setup();
    const first = await admin.add(ISSUER, { username: 'erin', reason: 'laptop' }, ADMIN);
    await admin.lift(ISSUER, first.revocation.id, ADMIN);
    tick(3600 + 120); // role a's and c's sessions (1 h) are over; b's (12 h) are not
    await admin.add(ISSUER, { username: 'olga', reason: 'phished' }, ADMIN);
    expect(writer.policies.get(roleArn('a'))?.get('TesseraRevocations')).not.toContain('"erin"');
    expect(writer.policies.get(roleArn('b'))?.get('TesseraRevocations')).toContain('"erin"');
    tick(43_200);
    const third = await admin.add(ISSUER, { username: 'mallory', reason: 'test' }, ADMIN);
    expect(writer.policies.get(roleArn('b'))?.get('TesseraRevocations')).not.toContain('"erin"');
    const ids = (await store.loadPool(ISSUER)).revocations.map((r) => r.id);
    expect(ids).not.toContain(first.revocation.id);
    expect(ids).toContain(third.revocation.id);
  });

  it('200 people across 3 roles: 64-character identities are refused with a clear 409 before anything is stored', async () => {
    const { store, admin, writer } = setup();
    let refused: unknown;
    let stored = 0;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const username = `u${String(i).padStart(63, '0')}`;
      await admin.add(ISSUER, { username, reason: 'bulk' }, ADMIN).then(
        () => (stored += 1),
        (err: unknown) => (refused = err),
      );
    }
    expect(refused).toBeInstanceOf(RevocationError);
    expect(refused).toMatchObject({ code: 'RevocationPolicyTooLarge' });
    const issues = (refused as RevocationError).issues;
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]?.message).toMatch(
      /arn:aws:iam::\d{12}:role\/\w+: the revocation policy needs \d+ of the 10240/,
    );
    expect((await store.loadPool(ISSUER)).revocations).toHaveLength(stored);
    for (const role of writer.policies.values()) {
      const text = role.get('TesseraRevocations') ?? '';
      expect(text.replace(/\s/g, '').length).toBeLessThanOrEqual(ROLE_INLINE_POLICY_CHARS);
    }
    expect(stored).toBeGreaterThan(100);
  });

  it("count the role's other inline policies against IAM's aggregate limit", async () => {
    const { admin } = setup({ otherInline: ROLE_INLINE_POLICY_CHARS - 200 });
    await expect(
      admin.add(ISSUER, { username: 'erin', reason: 'laptop' }, ADMIN),
    ).rejects.toMatchObject({
      code: 'RevocationPolicyTooLarge',
      roles: [{ roleArn: roleArn('a') }],
    });
  });

  it('an IAM refusal for size undoes the add', async () => {
    const { store, admin, writer } = setup();
    writer.faults.set(roleArn('b'), 'PolicyTooLarge');
    await expect(
      admin.add(ISSUER, { username: 'erin', reason: 'laptop' }, ADMIN),
    ).rejects.toMatchObject({ code: 'RevocationPolicyTooLarge' });
    expect((await store.loadPool(ISSUER)).revocations).toEqual([]);
  });

  it('until must be in the future', async () => {
    const { admin } = setup();
    await expect(
      admin.add(ISSUER, { username: 'erin', reason: 'x', until: NOW.toISOString() }, ADMIN),
    ).rejects.toMatchObject({ code: 'InvalidRequest', field: '/until' });
  });
});

describe('SourceIdentity on every session', () => {
  it('a binding naming none stamps the username, else the sub', async () => {
    const store = new MemoryBindingStore([
      binding({ sourceIdentity: undefined, trustPolicy: trustFor(['uploaders']) }),
    ]);
    const withName = token();
    const noName = token({ username: undefined });
    const run = async (t: typeof withName) => {
      const broker = createBroker({
        verifier: new MemoryTokenVerifier({ t }),
        bindings: store,
        vendor: new MemoryCredentialVendor(() => NOW),
        audit: new MemoryAuditSink(),
        clock: fixedClock(NOW),
      });
      return broker.vend({ rawToken: 't', role: 'app-upload', origin });
    };
    expect(await run(withName)).toMatchObject({
      kind: 'grant',
      value: { sourceIdentity: 'alice' },
    });
    expect(await run(noName)).toMatchObject({
      kind: 'grant',
      value: { sourceIdentity: 'a1b2c3d4-0000-4000-8000-000000000001' },
    });
  });
});
