import { describe, expect, it } from 'vitest';
import { BindingError, createBindingAdmin, fixedClock } from '../src/index.js';
import { MemoryBindingStore, MemoryRoleInspector } from '../src/testing.js';
import { binding, ISSUER, NOW } from './fixtures.js';

function setup() {
  const store = new MemoryBindingStore();
  const inspector = new MemoryRoleInspector({ 'arn:aws:iam::111122223333:role/app-upload': 7200 });
  return { store, admin: createBindingAdmin({ store, inspector, clock: fixedClock(NOW) }) };
}

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
});
