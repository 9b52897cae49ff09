import { describe, expect, it } from 'vitest';
import { parseBindingWrite, parseCredentialsBody, pointerOf } from '../src/index.js';
import { binding, ISSUER } from './fixtures.js';

const stored = binding({ version: 4, updatedAt: '2026-11-20T10:00:00.000Z', updatedBy: 'ada' });
const target = { id: stored.id, issuer: ISSUER, stored, issuers: new Set([ISSUER]) };
const pointers = (r: ReturnType<typeof parseBindingWrite>) =>
  r.ok ? [] : r.problems.map((p) => [p.pointer, p.code]);

describe('parseBindingWrite', () => {
  it('accepts the stored binding sent back as is, and the {binding} answer of GET', () => {
    for (const body of [stored, { binding: stored }]) {
      const write = parseBindingWrite(body, target);
      expect(write.ok).toBe(true);
      if (!write.ok) return;
      expect(write.value).not.toHaveProperty('version');
      expect(write.value).not.toHaveProperty('updatedBy');
      expect(write.value).toMatchObject({ id: stored.id, issuer: ISSUER, roleArn: stored.roleArn });
    }
  });

  it('refuses every server-managed field that differs, with every other problem, in field order', () => {
    const write = parseBindingWrite(
      {
        ...stored,
        id: 'other',
        version: 3,
        updatedBy: 'mallory',
        durationSeconds: { default: 1, max: 900 },
      },
      target,
    );
    expect(pointers(write)).toEqual([
      ['/id', 'ServerFieldChanged'],
      ['/durationSeconds/default', 'OutOfRange'],
      ['/version', 'ServerFieldChanged'],
      ['/updatedBy', 'ServerFieldChanged'],
    ]);
  });

  it('refuses server-managed fields when nothing is stored, and an untrusted issuer once', () => {
    const write = parseBindingWrite(stored, {
      ...target,
      issuer: 'https://elsewhere.example',
      stored: undefined,
    });
    expect(pointers(write)).toEqual([
      ['/issuer', 'IssuerNotConfigured'],
      ['/version', 'ServerFieldChanged'],
      ['/updatedAt', 'ServerFieldChanged'],
      ['/updatedBy', 'ServerFieldChanged'],
      ['/roleMaxSessionDuration', 'ServerFieldChanged'],
      ['/roleDescription', 'ServerFieldChanged'],
      ['/permissionPolicies', 'ServerFieldChanged'],
    ]);
  });

  it('does not compare the server fields of a stale copy (the conditional write refuses it)', () => {
    const stale = { ...stored, version: 3, updatedBy: 'someone-before' };
    expect(parseBindingWrite(stale, { ...target, expectedVersion: 3 }).ok).toBe(true);
    expect(pointers(parseBindingWrite(stale, { ...target, expectedVersion: 4 }))).toEqual([
      ['/version', 'ServerFieldChanged'],
      ['/updatedBy', 'ServerFieldChanged'],
    ]);
  });

  it('answers a body that is not an object at the empty pointer', () => {
    expect(pointers(parseBindingWrite([stored], target))).toEqual([['', 'NotAnObject']]);
  });
});

describe('parseCredentialsBody', () => {
  it('names every problem by JSON Pointer', () => {
    const parsed = parseCredentialsBody({ role: 5, admin: true });
    expect(parsed.ok ? [] : parsed.problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/role', 'NotAString'],
      ['/admin', 'UnknownField'],
    ]);
    expect(parseCredentialsBody({ role: 'app-upload', durationSeconds: 900 })).toEqual({
      ok: true,
      value: { role: 'app-upload', durationSeconds: 900 },
    });
  });
});

describe('pointerOf', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(pointerOf(['sessionTags', 'a/b~c', 0])).toBe('/sessionTags/a~1b~0c/0');
    expect(pointerOf([])).toBe('');
  });
});
