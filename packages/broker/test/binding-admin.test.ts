import { describe, expect, it } from 'vitest';
import {
  BindingError,
  createBindingAdmin,
  fixedClock,
  notTargetable,
  type TargetRoles,
} from '../src/index.js';
import { MemoryBindingStore, MemoryRoleInspector } from '../src/testing.js';
import { binding, ISSUER, NOW } from './fixtures.js';

function setup() {
  const store = new MemoryBindingStore();
  const inspector = new MemoryRoleInspector({ 'arn:aws:iam::111122223333:role/app-upload': 7200 });
  return {
    store,
    admin: createBindingAdmin({ store, inspector, clock: fixedClock(NOW), targets: TARGETS }),
  };
}

const BROKER_ROLE = 'arn:aws:iam::111122223333:role/tessera-broker';
const TARGETS: TargetRoles = {
  brokerRoleArn: BROKER_ROLE,
  allowed: { path: '/', accounts: ['111122223333'] },
};

const document = () => {
  const { roleMaxSessionDuration: _r, updatedAt: _a, updatedBy: _b, ...doc } = binding();
  return doc;
};

describe('createBindingAdmin', () => {
  it('stamps the role MaxSessionDuration from IAM and who/when, then writes', async () => {
    const { admin, store } = setup();
    await admin.apply(document(), 'admin@example.com');
    expect(await store.get(ISSUER, 'app-upload')).toMatchObject({
      roleMaxSessionDuration: 7200,
      updatedAt: NOW.toISOString(),
      updatedBy: 'admin@example.com',
      version: 1,
    });
  });

  it('ignores server fields in the document', async () => {
    const { admin, store } = setup();
    await admin.apply(
      { ...document(), roleMaxSessionDuration: 43200, updatedBy: 'mallory' },
      'admin',
    );
    expect(await store.get(ISSUER, 'app-upload')).toMatchObject({
      roleMaxSessionDuration: 7200,
      updatedBy: 'admin',
    });
  });

  it('refuses an invalid document before calling IAM, and a role IAM does not know', async () => {
    const { admin } = setup();
    await expect(admin.apply({ ...document(), id: 'BAD' }, 'admin')).rejects.toBeInstanceOf(
      BindingError,
    );
    await expect(
      admin.apply({ ...document(), roleArn: 'arn:aws:iam::111122223333:role/missing' }, 'admin'),
    ).rejects.toMatchObject({ code: 'BindingInvalid' });
  });

  it('enforces optimistic concurrency', async () => {
    const { admin } = setup();
    await admin.apply(document(), 'admin');
    await expect(admin.apply(document(), 'admin')).rejects.toMatchObject({ code: 'BindingExists' });
    await admin.apply({ ...document(), version: 2 }, 'admin');
    await expect(admin.apply({ ...document(), version: 2 }, 'admin')).rejects.toMatchObject({
      code: 'BindingVersionConflict',
    });
    await admin.remove(ISSUER, 'app-upload', 2);
  });

  it('refuses a binding for the broker role or a role outside the targets, naming /roleArn, before IAM or the store', async () => {
    const { admin, store } = setup();
    for (const roleArn of [BROKER_ROLE, 'arn:aws:iam::444455556666:role/app-upload']) {
      await expect(admin.apply({ ...document(), roleArn }, 'admin')).rejects.toMatchObject({
        code: 'RoleNotTargetable',
        field: '/roleArn',
        issues: [{ field: '/roleArn', code: 'RoleNotTargetable' }],
      });
    }
    expect(await store.get(ISSUER, 'app-upload')).toBeUndefined();
  });
});

describe('notTargetable', () => {
  const byArns: TargetRoles = {
    brokerRoleArn: BROKER_ROLE,
    allowed: { arns: ['arn:aws:iam::111122223333:role/app-upload', BROKER_ROLE] },
  };
  const byPath: TargetRoles = {
    brokerRoleArn: BROKER_ROLE,
    allowed: { path: '/tessera/', accounts: ['111122223333', '222233334444'] },
  };

  it('refuses the broker role by account and name, whatever its path, case or listing', () => {
    for (const arn of [
      BROKER_ROLE,
      'arn:aws:iam::111122223333:role/tessera/tessera-broker',
      'arn:aws:iam::111122223333:role/Tessera-Broker',
    ]) {
      expect(notTargetable(byArns, arn)).toBe('BrokerRole');
    }
    // The same name in another account is another role.
    expect(notTargetable(byPath, 'arn:aws:iam::222233334444:role/tessera/tessera-broker')).toBe(
      undefined,
    );
  });

  it('matches listed ARNs exactly, and paths as IAM resource prefixes in the listed accounts', () => {
    expect(notTargetable(byArns, 'arn:aws:iam::111122223333:role/app-upload')).toBe(undefined);
    expect(notTargetable(byArns, 'arn:aws:iam::111122223333:role/app-upload2')).toBe('NotATarget');
    expect(notTargetable(byArns, 'arn:aws:iam::111122223333:role/x/app-upload')).toBe('NotATarget');
    expect(notTargetable(byPath, 'arn:aws:iam::111122223333:role/tessera/app')).toBe(undefined);
    expect(notTargetable(byPath, 'arn:aws:iam::222233334444:role/tessera/team/app')).toBe(
      undefined,
    );
    expect(notTargetable(byPath, 'arn:aws:iam::111122223333:role/app')).toBe('NotATarget');
    expect(notTargetable(byPath, 'arn:aws:iam::111122223333:role/tesseraX/app')).toBe('NotATarget');
    expect(notTargetable(byPath, 'arn:aws:iam::999999999999:role/tessera/app')).toBe('NotATarget');
    expect(notTargetable(byPath, 'not an arn')).toBe('NotATarget');
  });
});
