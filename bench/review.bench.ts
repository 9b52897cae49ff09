/**
 * `npm run bench:review`: the cost of the access review and of what-if, which are proportional to
 * bindings × subjects (issue 17): 10,000 recorded subjects × 200 bindings, in one process, through
 * the broker's own functions (`assumableBindings`, `accessReview`, `whatIf`), no I/O.
 *
 * Inputs: 200 bindings over 100 groups (each trust policy: the pool's `aud` and one group with
 * `ForAnyValue:StringEquals`; every other binding also a `StringLike` on `custom:team`; each
 * renders SourceIdentity from `cognito:username` and a session tag); 10,000 subjects with 3
 * groups each, recorded as a vend records them (`subjectRecord`); 100 active revocations (every
 * 100th subject, by `sub`), applied as the handlers apply the pool's revocations.
 *
 * Figures, each with the baseline it is compared with, measured in the same run:
 * - the review of every pair: total ms, pairs/s and ns per pair, against ONE bare `evaluate()`
 *   call on a compiled trust policy without explain (the floor: what a pair costs if nothing but
 *   the evaluator ran) — the ratio says what building contexts, the full decision of the pairs
 *   that trust allows, and the bookkeeping add;
 * - the naive way (the full `decide()` with the explain trace for every pair, the context built
 *   per pair), timed on 500 subjects × 200 bindings: ns per pair, and how many times slower it is
 *   than the review's way;
 * - the review as the API serves it: pages of 100 subjects (+ the answer built), total ms;
 * - what-if of one binding's trust change against the 10,000 subjects, ms.
 * A benchmark, not a test: nothing fails. Results: bench/results/review.json.
 */
import { performance } from 'node:perf_hooks';
import {
  accessReview,
  assumableBindings,
  type Binding,
  compileBinding,
  decisionFor,
  federatedPrincipal,
  type KnownSubject,
  knownSubject,
  parseWhatIf,
  type Revocation,
  requestContext,
  subjectOf,
  subjectRecord,
  whatIf,
} from '../packages/broker/src/index.js';
import { evaluate } from '../packages/policy/src/index.js';
import { environment, writeResults } from './lib/results.js';
import { consume, measure, median } from './lib/timing.js';

const RESULTS = 'bench/results/review.json';
const SUBJECTS = 10_000;
const BINDINGS = 200;
const GROUPS = 100;
const NAIVE_SUBJECTS = 500;
const PAGE = 100;
const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Bench1';
const PRINCIPAL = 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Bench1';
const CLIENT = 'bench-client';
const NOW = new Date('2026-11-29T12:00:00.000Z');
/** Active revocations (the kill switch): every REVOKE_EVERY-th subject, by `sub`. */
const REVOKE_EVERY = 100;

/** A deterministic generator (mulberry32), so every run sees the same pool. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function trust(group: string, team: boolean) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Federated: PRINCIPAL },
        Condition: {
          StringEquals: { 'token:aud': CLIENT },
          'ForAnyValue:StringEquals': { 'token:cognito:groups': [group] },
          ...(team ? { StringLike: { 'token:custom:team': ['team-*'] } } : {}),
        },
      },
    ],
  };
}

function binding(i: number): Binding {
  return {
    id: `binding-${String(i).padStart(3, '0')}`,
    vendor: 'assume-role',
    issuer: ISSUER,
    roleArn: `arn:aws:iam::111122223333:role/role-${i}`,
    trustPolicy: trust(`group-${i % GROUPS}`, i % 2 === 1),
    sessionPolicy: null,
    sessionTags: { team: '${token:custom:team}' },
    transitiveTagKeys: [],
    sourceIdentity: '${token:cognito:username}',
    durationSeconds: { default: 3600, max: 3600 },
    externalId: null,
    enabled: true,
    version: 1,
    updatedAt: NOW.toISOString(),
    updatedBy: 'bench',
    roleMaxSessionDuration: 3600,
    roleDescription: '',
    permissionPolicies: null,
    explain: 'keys',
  };
}

function subjects(count: number): KnownSubject[] {
  const next = random(17);
  return Array.from({ length: count }, (_, i) => {
    const sub = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const groups = [0, 1, 2].map(() => `group-${Math.floor(next() * GROUPS)}`);
    const claims = {
      sub,
      iss: ISSUER,
      aud: CLIENT,
      token_use: 'id',
      'cognito:username': `user${i}`,
      'cognito:groups': groups,
      'custom:team': `team-${i % 7}`,
      email: `user${i}@example.com`,
      email_verified: true,
      auth_time: 1_764_400_000,
      iat: 1_764_400_000,
      exp: 1_764_403_600,
    };
    const token = {
      issuer: ISSUER,
      userPoolId: 'eu-west-1_Bench1',
      clientId: CLIENT,
      tokenUse: 'id' as const,
      subject: sub,
      username: `user${i}`,
      claims,
    };
    const origin = { sourceIp: '203.0.113.9', userAgent: 'bench/1.0', secureTransport: true };
    const facts = {
      at: NOW,
      action: 'vend' as const,
      result: 'grant' as const,
      bindingId: undefined,
      ttlSeconds: 90 * 86_400,
    };
    return knownSubject(subjectRecord(token, origin, facts));
  });
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = fn();
  return { ms: performance.now() - start, value };
}

/** Median of `runs` timings (after one warm-up run). */
function medianMs(fn: () => unknown, runs = 3): { ms: number; runs: number[] } {
  consume(fn());
  const times = Array.from({ length: runs }, () => timed(fn).ms);
  return { ms: median(times), runs: times };
}

const bindings = Array.from({ length: BINDINGS }, (_, i) => binding(i));
const compiled = bindings.map(compileBinding);
const pool = subjects(SUBJECTS);
const pairs = SUBJECTS * BINDINGS;
const revocations: Revocation[] = pool
  .filter((_, i) => i % REVOKE_EVERY === 0)
  .map((s, i) => ({
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    issuer: ISSUER,
    subject: s.record.sub,
    reason: 'bench',
    revokedAt: '2026-11-01T00:00:00.000Z',
    revokedBy: `${ISSUER}|admin`,
  }));
const env = { now: NOW, roleChaining: true, revocations };

// Baseline: one bare evaluate() of a compiled trust policy, without explain.
const sample = pool[0]!;
const sampleContext = requestContext(sample.token, sample.origin, NOW, undefined);
const samplePrincipal = federatedPrincipal(ISSUER);
const bareEvaluate = measure(() =>
  evaluate({
    request: {
      action: 'sts:AssumeRole',
      resource: compiled[0]!.binding.roleArn,
      principal: samplePrincipal,
      context: sampleContext,
    },
    resourcePolicy: compiled[0]!.trust,
    resourcePolicyKind: 'trust',
  }),
);
const bareNs = 1e9 / bareEvaluate.perSecond;

// The review of every pair.
const review = medianMs(() => assumableBindings(compiled, pool, env));
const allowed = assumableBindings(compiled, pool, env).reduce((n, a) => n + a.bindingIds.length, 0);
const reviewNs = (review.ms * 1e6) / pairs;

// The naive way, on a slice: the full decision with its trace for every pair.
const naivePool = pool.slice(0, NAIVE_SUBJECTS);
const naive = medianMs(() => {
  let granted = 0;
  for (const s of naivePool) {
    for (const c of compiled) if (decisionFor(c, s, env).kind === 'ok') granted += 1;
  }
  return granted;
});
const naiveNs = (naive.ms * 1e6) / (NAIVE_SUBJECTS * BINDINGS);

// As the API serves it: pages of subjects, each answered with both sides of the review.
const paged = medianMs(() => {
  let rows = 0;
  for (let i = 0; i < pool.length; i += PAGE) {
    const page = pool.slice(i, i + PAGE);
    const assumable = assumableBindings(compiled, page, env);
    const lastUse = new Map(
      assumable.map(({ subject, bindingIds }) => [
        subjectOf(ISSUER, subject.record.sub),
        new Map(bindingIds.slice(0, 1).map((id) => [id, '2026-11-20T00:00:00.000Z'])),
      ]),
    );
    const answer = accessReview({
      bindings: compiled,
      assumable,
      lastUse,
      now: NOW,
      staleAfterDays: 30,
    });
    rows += answer.bindings.reduce((n, b) => n + b.subjects.length, 0);
  }
  return rows;
});

// What-if: one binding's trust narrowed to another group, against every subject.
const proposal = parseWhatIf(
  {
    put: [
      (() => {
        const {
          version,
          updatedAt,
          updatedBy,
          roleMaxSessionDuration,
          roleDescription,
          permissionPolicies,
          ...doc
        } = bindings[0]!;
        return { ...doc, trustPolicy: trust('group-99', false) };
      })(),
    ],
  },
  { issuer: ISSUER, stored: bindings, issuers: new Set([ISSUER]), now: NOW },
);
if (!proposal.ok) throw new Error(`bench proposal invalid: ${JSON.stringify(proposal.problems)}`);
const whatIfRun = medianMs(() =>
  whatIf({ current: compiled, change: proposal.value, subjects: pool, env }),
);
const impact = whatIf({ current: compiled, change: proposal.value, subjects: pool, env })[0]!;

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const results = {
  environment: environment(),
  inputs: {
    subjects: SUBJECTS,
    bindings: BINDINGS,
    pairs,
    groups: GROUPS,
    assumablePairs: allowed,
    activeRevocations: revocations.length,
  },
  baseline: {
    name: 'one bare evaluate() of a compiled trust policy, no explain',
    nsPerCall: round(bareNs),
    perSecond: Math.round(bareEvaluate.perSecond),
  },
  review: {
    totalMs: round(review.ms),
    runsMs: review.runs.map((r) => round(r)),
    pairsPerSecond: Math.round(pairs / (review.ms / 1000)),
    nsPerPair: round(reviewNs),
    perPairVsBareEvaluate: round(reviewNs / bareNs, 2),
  },
  naiveDecidePerPair: {
    pairsTimed: NAIVE_SUBJECTS * BINDINGS,
    nsPerPair: round(naiveNs),
    timesSlowerThanReview: round(naiveNs / reviewNs, 2),
  },
  pagedReview: { pageSize: PAGE, pages: SUBJECTS / PAGE, totalMs: round(paged.ms) },
  whatIf: {
    changedBindings: 1,
    subjects: SUBJECTS,
    totalMs: round(whatIfRun.ms),
    loses: impact.loseCount,
    gains: impact.gainCount,
  },
};
await writeResults(RESULTS, results);

const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
console.log(
  `access review: ${SUBJECTS} subjects x ${BINDINGS} bindings = ${pairs} pairs (${allowed} assumable; ${revocations.length} subjects revoked)`,
);
line('baseline: one bare evaluate(), compiled trust, no explain', `${round(bareNs)} ns/call`);
line(
  'review, every pair (assumableBindings)',
  `${round(review.ms)} ms, ${round(reviewNs)} ns/pair`,
);
line('  per pair / one bare evaluate()', `${round(reviewNs / bareNs, 2)}x`);
line(
  `naive: full decide() with trace per pair (${NAIVE_SUBJECTS} x ${BINDINGS})`,
  `${round(naiveNs)} ns/pair`,
);
line('  naive / review, per pair', `${round(naiveNs / reviewNs, 2)}x slower`);
line(
  `review as served: ${SUBJECTS / PAGE} pages of ${PAGE} (answers built)`,
  `${round(paged.ms)} ms`,
);
line(
  `what-if: 1 binding changed, ${SUBJECTS} subjects`,
  `${round(whatIfRun.ms)} ms (${impact.loseCount} lose, ${impact.gainCount} gain)`,
);
console.log(`results: ${RESULTS}`);
