import { describe, expect, it } from 'vitest';
import { fieldChanges } from '../src/commands/bindings-files.js';

describe('fieldChanges', () => {
  it('names each changed leaf by its path, ignoring key order', () => {
    const before = { a: 1, b: { c: [1, 2], d: 'x' }, e: null };
    const after = { b: { d: 'y', c: [1, 3] }, a: 1, e: null, f: true };
    expect(fieldChanges(before, after)).toEqual([
      { path: 'b/c/1', before: 2, after: 3 },
      { path: 'b/d', before: 'x', after: 'y' },
      { path: 'f', before: undefined, after: true },
    ]);
    expect(fieldChanges({ x: { y: 1, z: 2 } }, { x: { z: 2, y: 1 } })).toEqual([]);
  });

  it('an array that changes length is one change', () => {
    expect(fieldChanges({ s: [1] }, { s: [1, 2] })).toEqual([
      { path: 's', before: [1], after: [1, 2] },
    ]);
  });
});
