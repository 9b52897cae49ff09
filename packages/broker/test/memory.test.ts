import { describe, expect, it } from 'vitest';
import { MemoryBindingStore } from '../src/testing.js';
import { binding, ISSUER } from './fixtures.js';

describe('MemoryBindingStore has the DynamoDB store conditional semantics', () => {
  it('version 1 only when absent, then only on the previous version', async () => {
    const s = new MemoryBindingStore();
    await s.put(binding());
    await expect(s.put(binding())).rejects.toMatchObject({
      name: 'BindingError',
      code: 'BindingExists',
    });
    await s.put(binding({ version: 2 }));
    await expect(s.put(binding({ version: 2 }))).rejects.toMatchObject({
      code: 'BindingVersionConflict',
    });
    expect((await s.get(ISSUER, 'app-upload'))?.version).toBe(2);
  });

  it('deletes only the expected version', async () => {
    const s = new MemoryBindingStore([binding()]);
    await expect(s.delete(ISSUER, 'app-upload', 2)).rejects.toMatchObject({
      code: 'BindingVersionConflict',
    });
    await s.delete(ISSUER, 'app-upload', 1);
    await expect(s.delete(ISSUER, 'app-upload', 1)).rejects.toMatchObject({
      code: 'BindingNotFound',
    });
  });

  it('lists one issuer, by id', async () => {
    const s = new MemoryBindingStore([
      binding({ id: 'b' }),
      binding({ id: 'a' }),
      binding({ id: 'c', issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_X' }),
    ]);
    expect((await s.listByIssuer(ISSUER)).map((b) => b.id)).toEqual(['a', 'b']);
  });
});
