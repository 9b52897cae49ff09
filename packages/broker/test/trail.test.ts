import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/audit.js';
import {
  followGrant,
  lookupForGrant,
  summariseTrailRecord,
  type TrailSearch,
  type TrailSource,
  trailEntries,
} from '../src/trail.js';

const record = (overrides: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  userIdentity: {
    type: 'AssumedRole',
    arn: 'arn:aws:sts::111111111111:assumed-role/app-upload/alice-1',
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: { sourceIdentity: 'alice' },
  },
  eventTime: '2026-11-29T12:00:05Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'PutObject',
  sourceIPAddress: '192.0.2.7',
  userAgent: 'Boto3/1.34',
  eventID: 'e-1',
  resources: [
    { type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::media/uploads/sub-1/a.jpg' },
    { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::media' },
  ],
  ...overrides,
});

describe('summariseTrailRecord', () => {
  it('says who, when, what, on which resource, from where, allowed', () => {
    expect(summariseTrailRecord(record())).toEqual({
      eventId: 'e-1',
      time: '2026-11-29T12:00:05Z',
      who: 'arn:aws:sts::111111111111:assumed-role/app-upload/alice-1',
      sourceIdentity: 'alice',
      accessKeyId: 'ASIAEXAMPLE',
      action: 's3:PutObject',
      resources: ['arn:aws:s3:::media/uploads/sub-1/a.jpg', 'arn:aws:s3:::media'],
      sourceIp: '192.0.2.7',
      userAgent: 'Boto3/1.34',
      result: 'allowed',
      errorCode: undefined,
    });
  });

  it('reads an AccessDenied error as denied, another error as allowed-but-failed', () => {
    expect(summariseTrailRecord(record({ errorCode: 'AccessDenied' })).result).toBe('denied');
    expect(summariseTrailRecord(record({ errorCode: 'NoSuchKey' }))).toMatchObject({
      result: 'allowed',
      errorCode: 'NoSuchKey',
    });
  });

  it('keeps a record without optional parts readable', () => {
    expect(summariseTrailRecord({ eventName: 'X' })).toMatchObject({
      action: 'unknown:X',
      resources: [],
      who: undefined,
    });
  });

  it('orders entries oldest first', () => {
    const later = record({ eventID: 'e-2', eventTime: '2026-11-29T12:00:09Z' });
    expect(trailEntries([later, record()]).map((e) => e.eventId)).toEqual(['e-1', 'e-2']);
  });

  it('keeps calls of the same second in the order CloudTrail gave them, newest first, reversed', () => {
    const same = ['e-3', 'e-2', 'e-1'].map((eventID) => record({ eventID }));
    expect(trailEntries(same).map((e) => e.eventId)).toEqual(['e-1', 'e-2', 'e-3']);
  });
});

describe('lookupForGrant', () => {
  const grant = {
    eventId: 'g-1',
    at: '2026-11-29T12:00:00.000Z',
    result: 'grant',
    accessKeyId: 'ASIAEXAMPLE',
    roleArn: 'arn:aws:iam::222222222222:role/partner-audit',
    durationSeconds: 900,
  } as unknown as AuditEvent;

  it('searches the role account by the vended key, from the grant to its expiry', () => {
    const lookup = lookupForGrant(grant, new Date('2026-12-01T00:00:00Z'));
    expect(lookup).toMatchObject({ accountId: '222222222222', accessKeyId: 'ASIAEXAMPLE' });
    expect(lookup?.startTime.toISOString()).toBe('2026-11-29T11:59:00.000Z');
    expect(lookup?.endTime.toISOString()).toBe('2026-11-29T12:30:00.000Z');
  });

  it('stops at now for a session still running', () => {
    const now = new Date('2026-11-29T12:05:00Z');
    expect(lookupForGrant(grant, now)?.endTime).toEqual(now);
  });

  it('has nothing to search for a deny', () => {
    expect(lookupForGrant({ ...grant, result: 'deny' }, new Date())).toBeUndefined();
  });
});

describe('followGrant', () => {
  const grant = {
    eventId: 'g-1',
    at: '2026-11-29T12:00:00.000Z',
    result: 'grant',
    accessKeyId: 'ASIAEXAMPLE',
    roleArn: 'arn:aws:iam::222222222222:role/partner-audit',
    durationSeconds: 900,
  } as unknown as AuditEvent;
  const now = new Date('2026-12-01T00:00:00Z');
  const coverage = [{ events: 'management' as const, searched: true, detail: 'LookupEvents' }];
  const source = (search: () => Promise<TrailSearch>): TrailSource & { asked: unknown[] } => {
    const asked: unknown[] = [];
    return {
      coverage,
      asked,
      search: async (lookup) => {
        asked.push(lookup);
        return search();
      },
    };
  };

  it('searches the role account by the key and lists what it found, oldest first', async () => {
    const found = source(async () => ({
      ok: true,
      records: [record({ eventID: 'e-2', eventTime: '2026-11-29T12:00:09Z' }), record()],
      truncated: true,
    }));
    const trail = await followGrant(grant, found, now);
    expect(found.asked).toEqual([lookupForGrant(grant, now)]);
    expect(trail).toMatchObject({
      lookup: {
        accountId: '222222222222',
        accessKeyId: 'ASIAEXAMPLE',
        from: '2026-11-29T11:59:00.000Z',
        to: '2026-11-29T12:30:00.000Z',
      },
      coverage,
      searchedAccounts: ['222222222222'],
      notSearched: [],
      truncated: true,
    });
    expect(trail.entries.map((e) => e.eventId)).toEqual(['e-1', 'e-2']);
  });

  it('names an account it could not search, and a source that threw, never an empty trail', async () => {
    const refused = await followGrant(
      grant,
      source(async () => ({ ok: false, reason: 'AccountNotSearchable', detail: 'no reader' })),
      now,
    );
    expect(refused).toMatchObject({
      searchedAccounts: [],
      notSearched: [{ accountId: '222222222222', reason: 'AccountNotSearchable' }],
    });
    const threw = await followGrant(
      grant,
      source(async () => {
        throw new TypeError('boom');
      }),
      now,
    );
    expect(threw.notSearched).toEqual([
      {
        accountId: '222222222222',
        reason: 'TrailUnavailable',
        detail: 'the search failed: TypeError',
      },
    ]);
  });

  it('searches nothing for an event that vended no credentials', async () => {
    const never = source(async () => {
      throw new Error('not called');
    });
    const trail = await followGrant({ ...grant, result: 'deny' }, never, now);
    expect(trail).toMatchObject({
      lookup: null,
      searchedAccounts: [],
      notSearched: [],
      entries: [],
    });
    expect(never.asked).toEqual([]);
  });
});
