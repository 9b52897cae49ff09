/**
 * Re-evaluating trust without the user (access.ts), what-if (what-if.ts) and the access review
 * (review.ts): pure functions over recorded subjects and compiled bindings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accessReview,
  assumableBindings,
  type Binding,
  canAssume,
  compileBinding,
  decisionFor,
  type KnownSubject,
  knownSubject,
  MAX_LISTED_IMPACTS,
  mergeImpacts,
  parseWhatIf,
  prepareSubject,
  subjectRecord,
  whatIf,
} from '../src/index.js';
import { binding, ISSUER, NOW, origin, token, trustFor } from './fixtures.js';

const env = { now: NOW, roleChaining: true };

function subject(sub: string, groups: string[], extra: Record<string, unknown> = {}): KnownSubject {
  const record = subjectRecord(
    token({ subject: sub, claims: { sub, 'cognito:groups': groups, ...extra } }),
    origin,
    { at: NOW, action: 'vend', result: 'grant', bindingId: undefined, ttlSeconds: 86_400 },
  );
  return knownSubject(record);
}

const eng = binding({
  id: 'eng-read',
  trustPolicy: trustFor(['engineers']),
  sessionPolicy: null,
  sessionTags: {},
});
const ops = binding({
  id: 'ops',
  trustPolicy: trustFor(['ops']),
  sessionPolicy: null,
  sessionTags: {},
});
const stored = [eng, ops];
const target = { issuer: ISSUER, stored, issuers: new Set([ISSUER]), now: NOW };

/** A binding as a write sends it: without its server-managed fields. */
function sent(b: Binding, trustPolicy: object): Record<string, unknown> {
  const { version, updatedAt, updatedBy, roleMaxSessionDuration, roleDescription, ...doc } = b;
  const { permissionPolicies, ...rest } = doc;
  return { ...rest, trustPolicy };
}

describe('canAssume', () => {
  it('agrees with the full decision a vend reaches, for any groups', () => {
    const groups = fc.subarray(['engineers', 'ops', 'uploaders', 'other']);
    fc.assert(
      fc.property(groups, fc.boolean(), (g, withTeam) => {
        const s = subject('s-1', g, withTeam ? {} : { 'custom:team': undefined });
        const prepared = prepareSubject(s, env);
        for (const b of [eng, ops, binding()]) {
          const compiled = compileBinding(b);
          expect(canAssume(compiled, prepared, env)).toBe(
            decisionFor(compiled, s, env).kind === 'ok',
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('parseWhatIf', () => {
  it('answers every problem with its JSON Pointer', () => {
    const bad = sent(eng, { Version: '2012-10-17', Statement: [{ Effect: 'Allw' }] });
    const parsed = parseWhatIf(
      { put: [bad, { roleArn: 'x' }, sent(ops, trustFor(['ops']))], remove: ['ops', 'gone'] },
      target,
    );
    expect(parsed.ok).toBe(false);
    const pointers = parsed.ok ? [] : parsed.problems.map((p) => p.pointer);
    expect(pointers).toContain('/put/0/trustPolicy/Statement/0/Effect');
    expect(pointers).toContain('/put/1/id');
    expect(pointers).toContain('/remove/0'); // put and removed
    expect(pointers).toContain('/remove/1'); // not stored
  });

  it('refuses an empty proposal and unknown fields', () => {
    const empty = parseWhatIf({}, target);
    expect(empty.ok ? [] : empty.problems.map((p) => [p.pointer, p.code])).toEqual([
      ['', 'Required'],
    ]);
    const unknown = parseWhatIf({ apply: true }, target);
    expect(unknown.ok ? [] : unknown.problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/apply', 'UnknownField'],
    ]);
  });
});

describe('whatIf', () => {
  const erin = subject('erin', ['engineers']);
  const olga = subject('olga', ['ops']);
  const both = subject('bo', ['engineers', 'ops']);
  const current = stored.map(compileBinding);

  function run(body: unknown) {
    const parsed = parseWhatIf(body, target);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    return whatIf({ current, change: parsed.value, subjects: [erin, olga, both], env });
  }

  it('names who loses, with the failing condition, and who keeps access', () => {
    const [impact] = run({ put: [sent(eng, trustFor(['platform']))] });
    expect(impact?.change).toBe('update');
    expect(impact?.loses.map((l) => l.sub)).toEqual(['erin', 'bo']);
    expect(impact?.loses[0]?.reasons).toEqual([
      {
        code: 'ConditionNotMet',
        policy: 'trust',
        statement: 0,
        element: 'Condition',
        key: 'token:cognito:groups',
        operator: 'ForAnyValue:StringEquals',
        detail: expect.stringContaining('platform'),
      },
    ]);
    expect([impact?.gains, impact?.gainCount, impact?.loseCount, impact?.keeps]).toEqual([
      [],
      0,
      2,
      0,
    ]);
  });

  it('names who gains, with the conditions met; a new binding; a disabled one; a removal', () => {
    const fresh = { ...sent(ops, trustFor(['engineers'])), id: 'new-one' };
    const disabled = { ...sent(eng, eng.trustPolicy), enabled: false };
    const [created, off] = run({ put: [fresh, disabled], remove: [] });
    expect([created?.change, created?.gains.map((g) => g.sub)]).toEqual(['create', ['erin', 'bo']]);
    expect(created?.gains[0]?.reasons.map((r) => [r.code, r.key])).toEqual([
      ['ConditionMet', 'token:client_id'],
      ['ConditionMet', 'token:cognito:groups'],
    ]);
    expect(off?.loses.map((l) => [l.sub, l.reasons[0]?.code])).toEqual([
      ['erin', 'BindingDisabled'],
      ['bo', 'BindingDisabled'],
    ]);
    const [removed] = run({ remove: ['ops'] });
    expect([removed?.change, removed?.loses.map((l) => l.reasons)]).toEqual([
      'remove',
      [[{ code: 'BindingRemoved' }], [{ code: 'BindingRemoved' }]],
    ]);
  });

  it('marks a subject whose claims could not all be recorded as approximate', () => {
    const big = subject('big', ['engineers'], { note: 'x'.repeat(600) });
    const parsed = parseWhatIf({ remove: ['eng-read'] }, target);
    if (!parsed.ok) throw new Error('unexpected');
    const [impact] = whatIf({ current, change: parsed.value, subjects: [big], env });
    expect(impact?.loses.map((l) => [l.sub, l.approximate])).toEqual([['big', true]]);
  });
});

describe('whatIf over pages of subjects', () => {
  it('lists at most MAX_LISTED_IMPACTS per side, counts all, and merges pages as one run', () => {
    const current = stored.map(compileBinding);
    const parsed = parseWhatIf({ remove: ['eng-read'] }, target);
    if (!parsed.ok) throw new Error('unexpected');
    const many = Array.from({ length: MAX_LISTED_IMPACTS + 5 }, (_, i) =>
      subject(`s-${String(i).padStart(5, '0')}`, ['engineers']),
    );
    const run = (subjects: KnownSubject[]) =>
      whatIf({ current, change: parsed.value, subjects, env });
    const [whole] = run(many);
    expect([whole?.loses.length, whole?.loseCount]).toEqual([MAX_LISTED_IMPACTS, many.length]);
    const [merged] = mergeImpacts(run(many.slice(0, 600)), run(many.slice(600)));
    expect(merged).toEqual(whole);
  });
});

describe('accessReview', () => {
  it('lists both sides, with last use and staleness', () => {
    const bindings = stored.map(compileBinding);
    const erin = subject('erin', ['engineers']);
    const bo = subject('bo', ['engineers', 'ops']);
    const assumable = assumableBindings(bindings, [erin, bo], env);
    expect(assumable.map((a) => a.bindingIds)).toEqual([['eng-read'], ['eng-read', 'ops']]);
    const key = (s: string) => `${ISSUER}|${s}`;
    const review = accessReview({
      bindings,
      assumable,
      lastUse: new Map([
        [key('erin'), new Map([['eng-read', '2026-11-20T00:00:00.000Z']])],
        [key('bo'), new Map([['ops', '2026-09-01T00:00:00.000Z']])],
      ]),
      now: NOW,
      staleAfterDays: 30,
    });
    expect(
      review.bindings.map((b) => [b.bindingId, b.subjects.map((s) => [s.sub, s.stale])]),
    ).toEqual([
      [
        'eng-read',
        [
          ['erin', false],
          ['bo', true],
        ],
      ],
      ['ops', [['bo', true]]],
    ]);
    expect(review.subjects[1]?.bindings).toEqual([
      { bindingId: 'eng-read', roleArn: eng.roleArn, lastUsedAt: null, stale: true },
      {
        bindingId: 'ops',
        roleArn: ops.roleArn,
        lastUsedAt: '2026-09-01T00:00:00.000Z',
        stale: true,
      },
    ]);
  });
});
