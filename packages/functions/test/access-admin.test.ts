/** The access review's query string: every problem names its parameter (400, `in: query`). */
import { describe, expect, it } from 'vitest';
import { reviewQuery } from '../src/access-admin.js';
import { HttpInputError } from '../src/errors.js';
import { apiEvent } from './events.js';

const query = (q: Record<string, string>) =>
  reviewQuery(apiEvent('GET', '/v1/admin/review', { query: q }));

describe('reviewQuery', () => {
  it('defaults to JSON by binding, 50 subjects a page, stale after 30 days', () => {
    expect(query({})).toEqual({
      format: 'json',
      by: 'binding',
      limit: 50,
      cursor: undefined,
      staleAfterDays: 30,
    });
    expect(
      query({ format: 'csv', by: 'subject', limit: '100', staleAfterDays: '90', cursor: 'c' }),
    ).toEqual({
      format: 'csv',
      by: 'subject',
      limit: 100,
      cursor: 'c',
      staleAfterDays: 90,
    });
  });

  it.each([
    [{ format: 'xml' }, 'format'],
    [{ by: 'role' }, 'by'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ staleAfterDays: '-1' }, 'staleAfterDays'],
    [{ subject: 'x' }, 'subject'],
  ])('refuses %o naming %s', (q, field) => {
    try {
      query(q);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(HttpInputError);
      const e = err as HttpInputError;
      expect([e.code, e.field, e.location]).toEqual(['InvalidRequest', field, 'query']);
    }
  });
});
