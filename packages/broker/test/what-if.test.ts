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
  decisiveReasons,
  type KnownSubject,
  knownSubject,
  MAX_LISTED_IMPACTS,
  mergeImpacts,
  parseWhatIf,
  prepareSubject,
  type Revocation,
  subjectRecord,
  whatIf,
} from '../src/index.js';
import { binding, ISSUER, NOW, origin, token, trustFor } from './fixtures.js';

const env = { now: NOW, roleChaining: true, revocations: [] };

/** A stored revocation of `sub` (active unless lifted or ended). */
function revocation(sub: string, extra: Partial<Revocation> = {}): Revocation {
  return {
    id: `00000000-0000-4000-8000-00000000000${sub.length}`,
    issuer: ISSUER,
    subject: sub,
    reason: 'laptop stolen',
    revokedAt: '2026-11-01T00:00:00.000Z',
    revokedBy: `${ISSUER}|admin`,
    ...extra,
  };
}

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

describe('canAssume under revocations (the kill switch)', () => {
  const erin = subject('erin', ['engineers']);
  const compiled = compileBinding(eng);
  const under = (r: Revocation) => ({ ...env, revocations: [r] });

  it('refuses an actively revoked subject, the decisive reason SubjectRevoked', () => {
    const revoked = under(revocation('erin'));
    expect(canAssume(compiled, prepareSubject(erin, env), env)).toBe(true);
    expect(canAssume(compiled, prepareSubject(erin, revoked), revoked)).toBe(false);
    const decision = decisionFor(compiled, erin, revoked);
    expect(decision.kind === 'ok' ? 'ok' : decision.code).toBe('SubjectRevoked');
    expect(decisiveReasons(decision).map((r) => r.code)).toEqual(['SubjectRevoked']);
  });

  it('allows again once the revocation is lifted, has ended, or names someone else', () => {
    for (const r of [
      revocation('erin', { liftedAt: '2026-11-02T00:00:00.000Z', liftedBy: 'x' }),
      revocation('erin', { until: new Date(NOW.getTime() - 1000).toISOString() }),
      revocation('olga'),
      revocation('erin', { issuer: 'https://other.example' }),
    ]) {
      const e = under(r);
      expect(canAssume(compiled, prepareSubject(erin, e), e)).toBe(true);
      expect(decisionFor(compiled, erin, e).kind).toBe('ok');
    }
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

  it('counts a revoked subject as neither gaining nor keeping access', () => {
    const parsed = parseWhatIf(
      {
        put: [{ ...sent(ops, trustFor(['engineers'])), id: 'new-one' }, sent(eng, eng.trustPolicy)],
      },
      target,
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const revoked = { ...env, revocations: [revocation('erin')] };
    const subjects = [erin, olga, both];
    const [created, same] = whatIf({ current, change: parsed.value, subjects, env: revoked });
    expect([created?.gains.map((g) => g.sub), created?.gainCount]).toEqual([['bo'], 1]);
    expect([same?.keeps, same?.loseCount, same?.gainCount]).toEqual([1, 0, 0]);
    const [unrevoked] = whatIf({ current, change: parsed.value, subjects, env });
    expect(unrevoked?.gains.map((g) => g.sub)).toEqual(['erin', 'bo']);
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

describe('accessReview with a revoked subject', () => {
  it('lists the subject apart, marked revoked, with the bindings the revocation withholds', () => {
    const bindings = stored.map(compileBinding);
    const erin = subject('erin', ['engineers']);
    const bo = subject('bo', ['engineers', 'ops']);
    const until = '2026-12-31T00:00:00.000Z';
    const revoked = { ...env, revocations: [revocation('erin', { until })] };
    const assumable = assumableBindings(bindings, [erin, bo], revoked);
    expect(assumable.map((a) => [a.bindingIds, a.withheldIds, a.revoked?.id])).toEqual([
      [[], ['eng-read'], revocation('erin').id],
      [['eng-read', 'ops'], [], undefined],
    ]);
    const used = '2026-11-20T00:00:00.000Z';
    const review = accessReview({
      bindings,
      assumable,
      lastUse: new Map([[`${ISSUER}|erin`, new Map([['eng-read', used]])]]),
      now: NOW,
      staleAfterDays: 30,
    });
    const marker = { revocationId: revocation('erin').id, reason: 'laptop stolen', until };
    const [engSide] = review.bindings;
    expect(engSide?.subjects.map((s) => s.sub)).toEqual(['bo']);
    expect(engSide?.revokedSubjects.map((s) => [s.sub, s.revoked, s.lastUsedAt])).toEqual([
      ['erin', marker, used],
    ]);
    expect(review.subjects[0]).toMatchObject({ sub: 'erin', revoked: marker, bindings: [] });
    expect(review.subjects[0]?.revokedBindings.map((b) => b.bindingId)).toEqual(['eng-read']);
    expect(review.subjects[1]).toMatchObject({ sub: 'bo', revoked: null, revokedBindings: [] });
  });
});
