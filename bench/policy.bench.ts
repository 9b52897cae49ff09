/**
 * `npm run bench`: the policy evaluator, Tessera's `@tessera/policy` beside the peer
 * `@cloud-copilot/iam-simulate` (devDependency) on the SAME inputs, in one run. The peer is
 * measured through BOTH of its entry points:
 * - `runSimulation` — its documented API (async, validates its input). The peer figures
 *   (~2,000 decisions/s on a 3-statement policy, ~250/s on a 20-statement one) are this entry, so
 *   the targets (raw ≥ 20× peer, compiled ≥ 500× peer) are judged against it;
 * - `runUnsafeSimulation` — its fastest synchronous path (no input validation). Every ratio is
 *   also printed against it, labelled "stricter": nothing is hidden.
 *
 * Figures (decisions per second, median of 3 runs of 0.5 s after a 0.2 s warm-up):
 * - a 3-statement policy, a 20-statement policy with conditions and the realistic 20-statement
 *   role policy of issue 9 (policy variables in resources, conditions on every statement), each as
 *   peer runSimulation / peer runUnsafeSimulation / ours raw object (parsed and compiled on every
 *   call: no cache, objects are mutable) / ours raw JSON text (parsed once, then found in
 *   evaluate's bounded text cache) / ours compiled once (parsePolicy) / ours compiled with
 *   `explain: true`;
 * - the time to check 10,000 compiled Cognito-binding trust policies against one request (ms).
 * Targets are printed as pass/fail next to the figures. A benchmark, not a test: nothing fails.
 * Results: bench/results/policy.json.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { evaluate, type Policy, parsePolicy } from '../packages/policy/src/index.js';
import { environment, writeResults } from './lib/results.js';
import { measure, measureAsync, median, type Rate, timeOnce } from './lib/timing.js';

const RESULTS = 'bench/results/policy.json';
const ACCOUNT = '111122223333';
const TARGETS = {
  rawVsPeer: 20,
  compiledVsPeer: 500,
  compiled3PerSecond: 2_000_000,
  compiled20PerSecond: 300_000,
  explainSlowdownAtMost: 5,
  trust10kMsAtMost: 5,
} as const;

type Doc = { Version: string; Statement: Record<string, unknown>[] };
type Input = Parameters<typeof evaluate>[0];

// ---------------------------------------------------------------------------------------------
// Inputs

const threeStatements: Doc = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadUploads',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: 'arn:aws:s3:::media-bucket/uploads/*',
    },
    {
      Sid: 'ListOwnPrefix',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::media-bucket',
      Condition: { StringLike: { 's3:prefix': ['uploads/${aws:username}/*'] } },
    },
    {
      Sid: 'NoDeletes',
      Effect: 'Deny',
      Action: 's3:DeleteObject*',
      Resource: '*',
    },
  ],
};

/** 20 statements across services, most with conditions; the request is decided by the 18th. */
function twentyStatements(): Doc {
  const services = ['ec2', 'dynamodb', 'sqs', 'sns', 'lambda', 'kms', 'logs', 'iam'];
  const statements: Record<string, unknown>[] = [];
  for (let i = 0; i < 17; i++) {
    const service = services[i % services.length]!;
    statements.push({
      Sid: `S${i}`,
      Effect: i % 5 === 4 ? 'Deny' : 'Allow',
      Action: [`${service}:Get*`, `${service}:Describe*`, `${service}:List*`],
      Resource: `arn:aws:${service}:*:${ACCOUNT}:*`,
      Condition: {
        StringEquals: {
          'aws:PrincipalTag/team': ['blue', 'red'],
          'aws:RequestedRegion': 'eu-west-1',
        },
        IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    });
  }
  statements.push({
    Sid: 'S17',
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::media-bucket/teams/${aws:PrincipalTag/team}/*',
    Condition: {
      StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] },
      IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] },
      Bool: { 'aws:SecureTransport': 'true' },
      DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
      'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': ['o-a1b2c3/r-ab12/ou-1/*'] },
    },
  });
  statements.push({
    Sid: 'S18',
    Effect: 'Deny',
    Action: 's3:*',
    Resource: '*',
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  });
  statements.push({
    Sid: 'S19',
    Effect: 'Deny',
    NotAction: ['s3:*', 'iam:*'],
    Resource: '*',
    Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-central-1'] } },
  });
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * The shape of the role policies the local S3 evaluates on every request (issue 9): 20
 * statements on one bucket, every one with conditions (StringEquals on a principal tag, IpAddress
 * with several ranges, Bool; every other one also StringLike with a policy variable,
 * DateLessThan, NumericLessThan), resources built from policy variables (`${aws:username}`,
 * `${aws:PrincipalTag/...}`), Deny statements mixed in. Most statements match the request's action
 * and resource and fail only on their last condition, so nearly every condition is checked; the
 * last statement (an Allow) decides.
 */
function realisticRolePolicy(): Doc {
  const ranges = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/25', '2001:db8::/32'];
  const resources = [
    'arn:aws:s3:::media-bucket/home/${aws:username}/*',
    'arn:aws:s3:::media-bucket/teams/${aws:PrincipalTag/team}/*',
    'arn:aws:s3:::media-bucket/projects/${aws:PrincipalTag/project}/*',
  ];
  const statements: Record<string, unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    const deny = i % 5 === 3;
    const last = i === 19;
    const condition: Record<string, Record<string, unknown>> = {
      StringEquals: { 'aws:PrincipalTag/team': deny ? ['blue', 'contractors'] : ['blue', 'red'] },
      // Denies apply only from outside the ranges the Allows trust.
      IpAddress: { 'aws:SourceIp': deny ? ['10.0.0.0/8', '172.16.0.0/12'] : ranges },
      Bool: { 'aws:SecureTransport': 'true' },
    };
    if (i % 2 === 0 || last) {
      condition.StringLike = {
        'aws:PrincipalTag/project': ['${aws:username}-*', 'shared-${aws:PrincipalTag/team}'],
      };
      condition.DateLessThan = { 'aws:CurrentTime': '2030-01-01T00:00:00Z' };
    }
    // The Allows before the last one fail on their last condition (MFA younger than 60 s).
    condition.NumericLessThan = { 'aws:MultiFactorAuthAge': last ? '3600' : '60' };
    statements.push({
      Sid: `R${i}`,
      Effect: deny ? 'Deny' : 'Allow',
      Action: deny
        ? ['s3:DeleteObject*', 's3:PutObject*', 's3:GetObject*']
        : ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
      Resource: last ? resources[1] : [resources[i % 3], resources[(i + 1) % 3]],
      Condition: condition,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

interface Case {
  readonly name: string;
  readonly policy: Doc;
  readonly request: Input['request'];
}

const CASES: readonly Case[] = [
  {
    name: '3-statement policy',
    policy: threeStatements,
    request: {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::media-bucket/uploads/u-1/a.jpg',
      principal: { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:user/alice` },
      context: { 'aws:username': 'alice' },
    },
  },
  {
    name: '20-statement policy with conditions',
    policy: twentyStatements(),
    request: {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::media-bucket/teams/blue/plan.md',
      principal: { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:user/alice` },
      context: {
        'aws:PrincipalTag/team': 'blue',
        'aws:RequestedRegion': 'eu-west-1',
        'aws:SourceIp': '203.0.113.10',
        'aws:SecureTransport': 'true',
        'aws:CurrentTime': '2026-11-24T20:00:00Z',
        'aws:PrincipalOrgPaths': ['o-a1b2c3/r-ab12/ou-1/ou-2/'],
      },
    },
  },
  {
    name: 'realistic 20-statement role policy (variables, conditions on every statement)',
    policy: realisticRolePolicy(),
    request: {
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::media-bucket/teams/blue/plan.md',
      principal: { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:user/alice` },
      context: {
        'aws:username': 'alice',
        'aws:PrincipalTag/team': 'blue',
        'aws:SourceIp': '192.0.2.10',
        'aws:SecureTransport': 'true',
        'aws:CurrentTime': '2026-11-24T20:00:00Z',
        'aws:MultiFactorAuthAge': '120',
        'aws:PrincipalTag/project': 'alice-roadmap',
      },
    },
  },
];

function peerSimulation(c: Case): Simulation {
  const context: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(c.request.context ?? {})) {
    context[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  return {
    request: {
      principal: c.request.principal!.id,
      action: c.request.action,
      resource: { resource: c.request.resource, accountId: ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: [{ name: 'policy', policy: c.policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
}

const PEER = {
  Allowed: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny',
};

// ---------------------------------------------------------------------------------------------
// Trust policies: 10,000 Cognito bindings (DESIGN.md shape), one caller.

const POOL = 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC';

function bindingPolicy(i: number): Doc {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Federated: POOL },
        Condition: {
          StringEquals: { 'token:client_id': i % 10 === 0 ? 'app-client-id' : `client-${i % 97}` },
          'ForAnyValue:StringEquals': {
            'token:cognito:groups': [`group-${i % 500}`, `group-${(i * 7) % 500}`],
          },
        },
      },
    ],
  };
}

const TRUST_REQUEST: Input['request'] = {
  action: 'sts:AssumeRole',
  resource: `arn:aws:iam::${ACCOUNT}:role/target`,
  principal: { type: 'Federated', id: POOL },
  context: {
    'token:client_id': 'app-client-id',
    'token:cognito:groups': ['group-10', 'group-70', 'readers'],
    'token:sub': 'u-123',
    'aws:SourceIp': '203.0.113.10',
  },
};

// ---------------------------------------------------------------------------------------------
// Run

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;
const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** Ours against one peer entry: how many times faster (the target compares against runSimulation). */
interface Ratios {
  readonly rawObject: number;
  readonly rawText: number;
  readonly compiled: number;
}

interface CaseResult {
  readonly name: string;
  readonly statements: number;
  readonly decision: {
    readonly ours: string;
    readonly peerRunSimulation: string;
    readonly peerRunUnsafeSimulation: string;
  };
  readonly perSecond: {
    readonly peerRunSimulation: Rate;
    readonly peerRunUnsafeSimulation: Rate;
    /** A policy object, parsed and compiled on every call. */
    readonly oursRawObject: Rate;
    /** The same policy as JSON text: parsed once, then found in evaluate's bounded text cache. */
    readonly oursRawText: Rate;
    readonly oursCompiled: Rate;
    readonly oursExplain: Rate;
  };
  readonly ratios: {
    /** The baseline: the targets are judged on these. */
    readonly vsRunSimulation: Ratios;
    /** Stricter: the peer's fastest synchronous path. */
    readonly vsRunUnsafeSimulation: Ratios;
    readonly compiledVsRawObject: number;
    readonly explainSlowdown: number;
  };
}

async function peerDecision(simulation: Simulation): Promise<string> {
  const r = await runSimulation(simulation, {});
  if (r.resultType === 'error') throw new Error(JSON.stringify(r.errors).slice(0, 200));
  return PEER[r.overallResult as keyof typeof PEER];
}

async function benchCase(c: Case): Promise<CaseResult> {
  const simulation = peerSimulation(c);
  const text = JSON.stringify(c.policy);
  const compiled: Policy = parsePolicy(c.policy);
  const raw: Input = { request: c.request, identityPolicies: [c.policy] };
  const rawText: Input = { request: c.request, identityPolicies: [text] };
  const ready: Input = { request: c.request, identityPolicies: [compiled] };

  const decision = {
    ours: evaluate(ready).decision,
    peerRunSimulation: await peerDecision(simulation),
    peerRunUnsafeSimulation: PEER[runUnsafeSimulation(simulation, {}) as keyof typeof PEER],
  };

  const peerRunSimulation = await measureAsync(() => runSimulation(simulation, {}));
  const peerRunUnsafeSimulation = measure(() => runUnsafeSimulation(simulation, {}));
  const oursRawObject = measure(() => evaluate(raw));
  const oursRawText = measure(() => evaluate(rawText));
  const oursCompiled = measure(() => evaluate(ready));
  const oursExplain = measure(() => evaluate(ready, { explain: true }));
  const against = (peer: Rate): Ratios => ({
    rawObject: ratio(oursRawObject.perSecond, peer.perSecond),
    rawText: ratio(oursRawText.perSecond, peer.perSecond),
    compiled: ratio(oursCompiled.perSecond, peer.perSecond),
  });
  return {
    name: c.name,
    statements: c.policy.Statement.length,
    decision,
    perSecond: {
      peerRunSimulation,
      peerRunUnsafeSimulation,
      oursRawObject,
      oursRawText,
      oursCompiled,
      oursExplain,
    },
    ratios: {
      vsRunSimulation: against(peerRunSimulation),
      vsRunUnsafeSimulation: against(peerRunUnsafeSimulation),
      compiledVsRawObject: ratio(oursCompiled.perSecond, oursRawObject.perSecond),
      explainSlowdown: ratio(oursCompiled.perSecond, oursExplain.perSecond),
    },
  };
}

function printCase(r: CaseResult): void {
  const p = r.perSecond;
  const d = r.decision;
  const rs = r.ratios.vsRunSimulation;
  const ru = r.ratios.vsRunUnsafeSimulation;
  const rate = (x: Rate) => `${fmt(x.perSecond).padStart(12)} /s`;
  const vs = (target: number, a: number, b: number) =>
    `${a}× runSimulation [${mark(a >= target)} ≥ ${target}×] | ${b}× runUnsafeSimulation (stricter) [${mark(b >= target)} ≥ ${target}×]`;
  console.log(
    `\n${r.name} (${r.statements} statements) — decision ours ${d.ours}, peer runSimulation ${d.peerRunSimulation}, runUnsafeSimulation ${d.peerRunUnsafeSimulation}`,
  );
  console.log(
    `  peer runSimulation (documented API; the issue's baseline) ${rate(p.peerRunSimulation)}`,
  );
  console.log(
    `  peer runUnsafeSimulation (fastest sync path)              ${rate(p.peerRunUnsafeSimulation)}`,
  );
  console.log(
    `  ours raw: object parsed every call                         ${rate(p.oursRawObject)}  ${vs(TARGETS.rawVsPeer, rs.rawObject, ru.rawObject)}`,
  );
  console.log(
    `  ours raw: JSON text (bounded text cache)                   ${rate(p.oursRawText)}  ${vs(TARGETS.rawVsPeer, rs.rawText, ru.rawText)}`,
  );
  const floor = r.statements <= 3 ? TARGETS.compiled3PerSecond : TARGETS.compiled20PerSecond;
  console.log(
    `  ours compiled (parsePolicy)                                ${rate(p.oursCompiled)}  ${vs(TARGETS.compiledVsPeer, rs.compiled, ru.compiled)}  [${mark(p.oursCompiled.perSecond >= floor)} ≥ ${fmt(floor)}/s]`,
  );
  console.log(
    `  ours compiled, explain                                     ${rate(p.oursExplain)}  ${r.ratios.explainSlowdown}× slower than compiled  [${mark(r.ratios.explainSlowdown <= TARGETS.explainSlowdownAtMost)} ≤ ${TARGETS.explainSlowdownAtMost}×]`,
  );
}

function benchTrust() {
  const docs = Array.from({ length: 10_000 }, (_, i) => bindingPolicy(i));
  const compileStart = performance.now();
  const policies = docs.map((d) => parsePolicy(d));
  const compileMs = performance.now() - compileStart;
  const checkAll = () => {
    let allowed = 0;
    for (const policy of policies) {
      if (evaluate({ request: TRUST_REQUEST, resourcePolicy: policy }).decision === 'Allow')
        allowed++;
    }
    return allowed;
  };
  const allowed = checkAll();
  const timing = timeOnce(checkAll, 9);

  return { policies: docs.length, compileMs, allowed, checkMs: timing.ms, runsMs: timing.runs };
}

type PeerTrust =
  | {
      readonly sample: number;
      readonly ms: number;
      readonly extrapolated10kMs: number;
      readonly allowed: number;
    }
  | { readonly error: string };

/**
 * The peer on the same trust request, on a sample (all 10,000 would take long), extrapolated.
 * Its synchronous path cannot take a resource policy (it throws reading the policy's name), so
 * this uses `runSimulation` (async, validates its input; it drops the `token:*` keys, which it
 * does not know for sts:AssumeRole — a known difference — so only its time is comparable).
 */
async function benchPeerTrust(): Promise<PeerTrust> {
  const sample = Array.from({ length: 200 }, (_, i) => bindingPolicy(i));
  const check = async () => {
    let ok = 0;
    for (const policy of sample) {
      const r = await runSimulation(
        {
          request: {
            principal: POOL,
            action: 'sts:AssumeRole',
            resource: { resource: TRUST_REQUEST.resource, accountId: ACCOUNT },
            contextVariables: {
              'token:client_id': 'app-client-id',
              'token:cognito:groups': ['group-10', 'group-70', 'readers'],
            },
          },
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: policy,
        },
        {},
      );
      if (r.resultType === 'error') throw new Error(JSON.stringify(r.errors).slice(0, 200));
      if (r.overallResult === 'Allowed') ok++;
    }
    return ok;
  };
  try {
    const allowed = await check();
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await check();
      times.push(performance.now() - start);
    }
    const ms = median(times);
    return { sample: sample.length, ms, extrapolated10kMs: ms * (10_000 / sample.length), allowed };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const env = environment();
  console.log(`policy bench — node ${env.node}, ${env.cpu}`);
  const cases: CaseResult[] = [];
  for (const c of CASES) {
    const r = await benchCase(c);
    printCase(r);
    cases.push(r);
  }
  const trust = { ...benchTrust(), peer: await benchPeerTrust() };
  console.log(
    `\n10,000 compiled Cognito-binding trust policies, one request: ${trust.checkMs.toFixed(2)} ms (${trust.allowed} allow)  [${mark(trust.checkMs <= TARGETS.trust10kMsAtMost)} ≤ ${TARGETS.trust10kMsAtMost} ms]`,
  );
  console.log(`  compiling them: ${trust.compileMs.toFixed(0)} ms`);
  if ('error' in trust.peer) console.log(`  peer: ${trust.peer.error}`);
  else
    console.log(
      `  peer runSimulation: ${trust.peer.ms.toFixed(1)} ms for ${trust.peer.sample} (≈ ${fmt(trust.peer.extrapolated10kMs)} ms for 10,000), ${trust.peer.allowed} allow`,
    );

  const c3 = cases[0]!;
  const c20 = cases[1]!;
  const every = (f: (c: CaseResult) => boolean) => cases.every(f);
  // The targets, judged against the peer's documented API (runSimulation), as measured
  // in the issue; the same targets against runUnsafeSimulation are reported beside them.
  const targets = {
    rawObjectVsRunSimulationEveryCase: every(
      (c) => c.ratios.vsRunSimulation.rawObject >= TARGETS.rawVsPeer,
    ),
    compiledVsRunSimulationEveryCase: every(
      (c) => c.ratios.vsRunSimulation.compiled >= TARGETS.compiledVsPeer,
    ),
    compiled3PerSecond: c3.perSecond.oursCompiled.perSecond >= TARGETS.compiled3PerSecond,
    compiled20PerSecond: c20.perSecond.oursCompiled.perSecond >= TARGETS.compiled20PerSecond,
    explainWithin5x: every((c) => c.ratios.explainSlowdown <= TARGETS.explainSlowdownAtMost),
    trust10kWithin5ms: trust.checkMs <= TARGETS.trust10kMsAtMost,
  };
  const stricter = {
    rawObjectVsRunUnsafeSimulationEveryCase: every(
      (c) => c.ratios.vsRunUnsafeSimulation.rawObject >= TARGETS.rawVsPeer,
    ),
    rawTextVsRunUnsafeSimulationEveryCase: every(
      (c) => c.ratios.vsRunUnsafeSimulation.rawText >= TARGETS.rawVsPeer,
    ),
    compiledVsRunUnsafeSimulationEveryCase: every(
      (c) => c.ratios.vsRunUnsafeSimulation.compiled >= TARGETS.compiledVsPeer,
    ),
  };
  const seconds = (performance.now() - started) / 1000;
  const list = (o: Record<string, boolean>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${mark(v)}`)
      .join(', ');
  console.log(`\ntargets (peer = runSimulation, as in the issue): ${list(targets)}`);
  console.log(`stricter (peer = runUnsafeSimulation): ${list(stricter)}`);
  console.log(`(${seconds.toFixed(1)} s)`);
  await writeResults(RESULTS, {
    environment: env,
    peer: {
      package: '@cloud-copilot/iam-simulate',
      targetsAgainst: 'runSimulation (documented API; the issue measured it)',
      alsoReported: 'runUnsafeSimulation (fastest synchronous path; stricter ratios)',
    },
    method:
      'decisions/s: median of 3 runs of 0.5 s after 0.2 s warm-up (async entry: each call awaited); trust: median of 9 runs',
    cases,
    trust10k: trust,
    targets: { thresholds: TARGETS, pass: targets, stricterPass: stricter },
    seconds,
  });
  console.log(`results: ${RESULTS}`);
}

await main();
