import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Directory } from '../src/iam/directory.js';
import { DEFAULT_CONFIG_PATH, parseLocalConfig } from '../src/index.js';
import { MAX_SESSIONS, type RoleSession, SessionRegistry } from '../src/sts/sessions.js';

const ROLE = 'arn:aws:iam::111111111111:role/app-upload';
const DAY_MS = 24 * 3600 * 1000;
const T0 = Date.parse('2026-06-01T12:00:00Z');

function registryAt(start: number) {
  const clock = { now: start };
  const registry = new SessionRegistry(() => clock.now);
  const role = new Directory(
    parseLocalConfig(JSON.parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'))),
  ).roleByArn(ROLE);
  if (!role) throw new Error(`the committed config has no ${ROLE}`);
  const issue = (expiration: number, sessionName = 'test-session'): RoleSession =>
    registry.issue({
      expiration: new Date(expiration),
      role,
      sessionName,
      sessionPolicy: undefined,
      tags: {},
      transitiveTagKeys: [],
      sourceIdentity: undefined,
      roleChained: false,
    });
  return { clock, registry, issue };
}

const lookup = (registry: SessionRegistry, s: RoleSession) =>
  registry.lookup(s.accessKeyId, s.sessionToken);

describe('SessionRegistry', () => {
  it('issues distinct ASIA keys, 40-character secrets and long session tokens', () => {
    const { issue } = registryAt(T0);
    const a = issue(T0 + 900_000);
    const b = issue(T0 + 900_000);
    expect(a.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(a.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(a.sessionToken).toMatch(/^IQoJb3JpZ2luX2VjE[A-Za-z0-9+/=]{360}$/);
    expect(b.accessKeyId).not.toBe(a.accessKeyId);
    expect(b.secretAccessKey).not.toBe(a.secretAccessKey);
    expect(b.sessionToken).not.toBe(a.sessionToken);
  });

  it('keeps an expired session for a day (ExpiredToken), then forgets it (unknown)', () => {
    const { clock, registry, issue } = registryAt(T0);
    const session = issue(T0 + 900_000);
    expect(lookup(registry, session)).toMatchObject({ found: true });
    clock.now = T0 + 900_000 + DAY_MS - 1000;
    issue(clock.now + 900_000, 'other');
    expect(lookup(registry, session)).toEqual({ found: false, reason: 'expired' });
    clock.now = T0 + 900_000 + DAY_MS + 61_000;
    issue(clock.now + 900_000, 'other');
    expect(lookup(registry, session)).toEqual({ found: false, reason: 'unknown' });
  });

  it('scans for sessions to forget at most once a minute of its clock', () => {
    const { clock, registry, issue } = registryAt(T0);
    issue(T0 + 900_000); // prunes (the first issue), then not again until T0 + 60 s
    clock.now = T0 + 1000;
    const stale = issue(T0 - 2 * DAY_MS);
    clock.now = T0 + 59_000;
    issue(T0 + 900_000);
    expect(lookup(registry, stale)).toEqual({ found: false, reason: 'expired' });
    clock.now = T0 + 60_000;
    issue(T0 + 900_000);
    expect(lookup(registry, stale)).toEqual({ found: false, reason: 'unknown' });
  });

  it('holds at most MAX_SESSIONS: issuing one more forgets the oldest issued, and only it', () => {
    const { registry, issue } = registryAt(T0);
    const first = issue(T0 + 3_600_000, 'first');
    const second = issue(T0 + 3_600_000, 'second');
    for (let i = 2; i < MAX_SESSIONS; i++) issue(T0 + 3_600_000, `s-${i}`);
    expect(lookup(registry, first)).toMatchObject({ found: true });
    const newest = issue(T0 + 3_600_000, 'newest');
    expect(lookup(registry, first)).toEqual({ found: false, reason: 'unknown' });
    expect(lookup(registry, second)).toMatchObject({ found: true });
    expect(lookup(registry, newest)).toMatchObject({ found: true });
  });
});
