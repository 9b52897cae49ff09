import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkText, formatWithPointers, lineFor } from '../src/validate.js';

const seeds = (
  JSON.parse(readFileSync(new URL('../../local/tessera.local.json', import.meta.url), 'utf8')) as {
    bindings: Record<string, unknown>[];
  }
).bindings;
const stored = (b: Record<string, unknown>): Record<string, unknown> => ({
  ...b,
  roleMaxSessionDuration: 3600,
  version: 1,
});

describe('checkText: the published binding schema, live', () => {
  it('accepts every seed binding as stored', () => {
    for (const b of seeds) expect(checkText(JSON.stringify(stored(b))).findings).toEqual([]);
  });

  it('names each problem by JSON Pointer, a missing field by its would-be path', () => {
    const { roleArn: _, ...noArn } = stored(seeds[0]!);
    const checked = checkText(JSON.stringify({ ...noArn, enabled: 'yes', surprise: 1 }));
    expect(checked.ok).toBe(true);
    expect(checked.findings.map((f) => f.pointer).sort()).toEqual([
      '/enabled',
      '/roleArn',
      '/surprise',
    ]);
  });

  it('reports JSON syntax without a value', () => {
    const checked = checkText('{"id": ');
    expect(checked).toMatchObject({ ok: false, findings: [{ source: 'json', severity: 'error' }] });
  });
});

describe('formatWithPointers', () => {
  const value = { a: 1, 'x/y': { b: [true, { c: null }] }, e: {}, f: [] };

  it('writes exactly JSON.stringify(value, null, 2)', () => {
    expect(formatWithPointers(value).lines.join('\n')).toBe(JSON.stringify(value, null, 2));
  });

  it('finds the line of a pointer (escaped per RFC 6901), or of its nearest present ancestor', () => {
    const { lines, lineOf } = formatWithPointers(value);
    expect(lines[lineFor('/x~1y/b/1/c', lineOf)]).toBe('        "c": null');
    expect(lines[lineFor('/x~1y/b/1/missing', lineOf)]).toBe('      {');
    expect(lineFor('/nope', lineOf)).toBe(0);
  });
});
