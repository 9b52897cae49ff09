import { describe, expect, it } from 'vitest';
import { parseInstant } from '../src/dates.js';

describe('parseInstant', () => {
  it('reads ISO 8601 dates and date-times as instants', () => {
    expect(parseInstant('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant('2026-01-01T12:00:00Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseInstant('2026-01-01T12:00Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseInstant('2026-01-01T12:00:00.250Z')).toBe(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
    expect(parseInstant('2026-01-01T13:00:00+01:00')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseInstant('2026-01-01T13:00:00+0100')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(parseInstant('2026-01-01T12:00:00')).toBe(Date.UTC(2026, 0, 1, 12)); // no zone: UTC
  });

  it('reads epoch seconds as text or number', () => {
    expect(parseInstant('1767225600')).toBe(Date.UTC(2026, 0, 1));
    expect(parseInstant(1767225600)).toBe(Date.UTC(2026, 0, 1));
  });

  it('yields NaN for anything else', () => {
    for (const bad of ['', 'yesterday', 'March 7 2026', '2026-13-45', true]) {
      expect(Number.isNaN(parseInstant(bad))).toBe(true);
    }
  });
});
