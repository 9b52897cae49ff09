/**
 * Invariants of the evaluator, checked with fast-check on generated policies and requests
 * (test/support/arbitraries.ts). Each property runs at least 1,000 times; the seed is fixed so a
 * failure reproduces (fast-check prints the counterexample and the path to replay it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EvaluationDecision,
  type EvaluationResult,
  evaluate,
  PolicyError,
  parsePolicy,
  validatePolicy,
} from '../src/index.js';
import {
  adversarialPattern,
  type PolicyDoc,
  policyArb,
  type Scenario,
  type Statement,
  scenarioArb,
  statementArb,
} from './support/arbitraries.js';

const RUNS = 1_000;
const params = (seed: number): fc.Parameters<unknown> => ({ numRuns: RUNS, seed });

type Input = Parameters<typeof evaluate>[0];

function toInput(s: Scenario): Input {
  return {
    request: s.request,
    identityPolicies: s.identityPolicies,
    ...(s.permissionsBoundary ? { permissionsBoundary: s.permissionsBoundary } : {}),
    ...(s.sessionPolicies ? { sessionPolicies: s.sessionPolicies } : {}),
    ...(s.resourcePolicy ? { resourcePolicy: s.resourcePolicy } : {}),
    crossAccount: s.crossAccount,
  };
}

function decide(input: Input): EvaluationDecision {
  return evaluate(input).decision;
}

function withStatement(policy: PolicyDoc, statement: Statement): PolicyDoc {
  return { ...policy, Statement: [...policy.Statement, statement] };
}

/** Anything thrown by parsePolicy must be a PolicyError with a code and a JSON Pointer path. */
function parseOnlyThrowsPolicyError(doc: unknown): void {
  try {
    parsePolicy(doc as object);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    const e = err as PolicyError;
    expect(typeof e.code).toBe('string');
    expect(e.path === '' || e.path.startsWith('/')).toBe(true);
  }
}

function validateNeverThrows(doc: unknown): void {
  const findings = validatePolicy(doc as object);
  expect(Array.isArray(findings)).toBe(true);
  for (const f of findings) {
    expect(['error', 'warning']).toContain(f.severity);
    expect(f.path === '' || f.path.startsWith('/')).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid policies: the near-misses a hand-written policy contains.

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('', '*', 'arn:', 'arn:aws', 's3:', ':', '${', '${aws:username', '}', 'Allow'),
  fc.constantFrom<unknown>(null, [], {}, 0, -1, 1e21, true),
);

const elementNames = fc.constantFrom(
  'Version',
  'Statement',
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
  'Id',
  'actions',
);

function mutatedPolicyArb(): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      policyArb(),
      fc.nat(),
      fc.constantFrom('delete', 'replace', 'rename', 'wrap', 'condition', 'top'),
      elementNames,
      junk,
    )
    .map(([policy, pick, how, name, value]) => {
      const doc = structuredClone(policy) as unknown as Record<string, unknown>;
      const statements = doc['Statement'] as Record<string, unknown>[];
      const st = statements[pick % statements.length]!;
      switch (how) {
        case 'delete':
          delete st[name];
          break;
        case 'replace':
          st[name] = value;
          break;
        case 'rename': {
          const keys = Object.keys(st);
          const k = keys[pick % keys.length]!;
          st[k.toLowerCase() === k ? k.toUpperCase() : k.toLowerCase()] = st[k];
          delete st[k];
          break;
        }
        case 'wrap':
          doc['Statement'] = pick % 2 === 0 ? statements[0] : { Statement: statements };
          break;
        case 'condition': {
          const cond = (st['Condition'] ?? {}) as Record<string, unknown>;
          const op = Object.keys(cond)[0] ?? 'StringEquals';
          cond[pick % 3 === 0 ? `ForAnyValue:${op}` : op] = { [name]: value };
          st['Condition'] = cond;
          break;
        }
        case 'top':
          doc[name] = value;
          break;
      }
      return doc;
    });
}

describe('parsing and validation never fail in unexpected ways', () => {
  it('parsePolicy throws only PolicyError on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), parseOnlyThrowsPolicyError), params(1));
  });

  it('parsePolicy throws only PolicyError on arbitrary values (objects, symbols, functions…)', () => {
    fc.assert(fc.property(fc.anything(), parseOnlyThrowsPolicyError), params(2));
  });

  it('parsePolicy throws only PolicyError on arbitrary text and JSON text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (text) =>
        parseOnlyThrowsPolicyError(text),
      ),
      params(3),
    );
  });

  it('parsePolicy throws only PolicyError on mutated valid policies', () => {
    fc.assert(fc.property(mutatedPolicyArb(), parseOnlyThrowsPolicyError), params(4));
  });

  it('validatePolicy never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.anything(), fc.string(), mutatedPolicyArb()),
        fc.constantFrom(undefined, 'identity', 'resource', 'trust', 'session', 'boundary'),
        (doc, kind) => {
          validateNeverThrows(doc);
          const findings = validatePolicy(doc as object, kind === undefined ? {} : { kind });
          expect(Array.isArray(findings)).toBe(true);
        },
      ),
      params(5),
    );
  });

  it('parse and validate agree: a parse error is a validate error (same code and path); no validate error means parse succeeds', () => {
    fc.assert(
      fc.property(mutatedPolicyArb(), (doc) => {
        let error: PolicyError | undefined;
        try {
          parsePolicy(doc as object);
        } catch (err) {
          error = err as PolicyError;
        }
        const errors = validatePolicy(doc as object).filter((f) => f.severity === 'error');
        // validate is stricter than parse (without a kind it also refuses a statement with
        // neither Resource nor Principal), so only this direction holds both ways round:
        if (errors.length === 0) expect(error).toBeUndefined();
        if (error !== undefined) {
          expect(errors.map((f) => `${f.code} ${f.path}`)).toContain(`${error.code} ${error.path}`);
        }
      }),
      params(6),
    );
  });

  it('evaluate refuses a policy in a slot exactly as validatePolicy with that kind does', () => {
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' };
    const slotCodes = new Set(['PrincipalNotAllowed', 'MissingResource', 'MissingPrincipal']);
    fc.assert(
      fc.property(mutatedPolicyArb(), fc.constantFrom('identity', 'resource'), (doc, slot) => {
        const structural = validatePolicy(doc as object).filter(
          (f) => f.severity === 'error' && f.code !== 'MissingResource',
        );
        if (structural.length > 0) return; // parse refuses it first (the property above)
        const kind = slot === 'identity' ? 'identity' : 'resource';
        const expected = validatePolicy(doc as object, { kind }).filter(
          (f) =>
            f.severity === 'error' &&
            slotCodes.has(f.code) &&
            (slot === 'identity' || f.code === 'MissingPrincipal'),
        );
        let error: PolicyError | undefined;
        try {
          evaluate(
            slot === 'identity'
              ? { request, identityPolicies: [doc as object] }
              : { request, resourcePolicy: doc as object },
          );
        } catch (err) {
          error = err as PolicyError;
        }
        if (expected.length === 0) {
          expect(error).toBeUndefined();
        } else {
          expect(error).toBeInstanceOf(PolicyError);
          expect(`${error?.code} ${error?.path}`).toBe(`${expected[0]?.code} ${expected[0]?.path}`);
        }
      }),
      params(7),
    );
  });

  it('generated policies are valid', () => {
    fc.assert(
      fc.property(policyArb(), (doc) => {
        expect(() => parsePolicy(doc)).not.toThrow();
      }),
      params(7),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Evaluation

// No Sid: a Sid could collide with one already in the policy (AWS refuses duplicate Sids).
const denyStatement = statementArb().map((s): Statement => {
  const { Sid: _sid, ...rest } = s;
  return { ...rest, Effect: 'Deny' };
});

describe('combining never widens', () => {
  it('adding a Deny statement to any policy never turns a decision into Allow', () => {
    fc.assert(
      fc.property(scenarioArb(), denyStatement, fc.nat(), (scenario, deny, pick) => {
        const before = decide(toInput(scenario));
        const s = structuredClone(scenario);
        const slots = [
          ...s.identityPolicies.map((_, i) => `i${i}`),
          ...(s.permissionsBoundary ? ['b'] : []),
          ...(s.sessionPolicies ?? []).map((_, i) => `s${i}`),
        ];
        const slot = slots.length === 0 ? 'new' : slots[pick % slots.length]!;
        if (slot === 'new') s.identityPolicies.push({ Version: '2012-10-17', Statement: [deny] });
        else if (slot === 'b') s.permissionsBoundary = withStatement(s.permissionsBoundary!, deny);
        else if (slot.startsWith('i')) {
          const i = Number(slot.slice(1));
          s.identityPolicies[i] = withStatement(s.identityPolicies[i]!, deny);
        } else {
          const i = Number(slot.slice(1));
          s.sessionPolicies![i] = withStatement(s.sessionPolicies![i]!, deny);
        }
        const after = decide(toInput(s));
        if (before !== 'Allow') expect(after).not.toBe('Allow');
        expect([before, 'ExplicitDeny']).toContain(after);
      }),
      params(10),
    );
  });

  it('adding a Deny statement to the resource policy never turns a decision into Allow', () => {
    fc.assert(
      fc.property(
        scenarioArb(),
        denyStatement,
        fc.constantFrom<Statement['Principal']>('*', { AWS: '*' }),
        (scenario, deny, principal) => {
          const before = decide(toInput(scenario));
          const s = structuredClone(scenario);
          const statement = { ...deny, Principal: principal };
          s.resourcePolicy = s.resourcePolicy
            ? withStatement(s.resourcePolicy, statement)
            : { Version: '2012-10-17', Statement: [statement] };
          const after = decide(toInput(s));
          expect([before, 'ExplicitDeny']).toContain(after);
        },
      ),
      params(11),
    );
  });

  it('adding a session policy never widens', () => {
    fc.assert(
      fc.property(scenarioArb(), policyArb(), (scenario, session) => {
        const before = decide(toInput(scenario));
        const after = decide(
          toInput({ ...scenario, sessionPolicies: [...(scenario.sessionPolicies ?? []), session] }),
        );
        // Appending a policy to an existing set may add an Allow (session policies are a union),
        // so compare against a scenario that had no session policy at all.
        if (scenario.sessionPolicies === undefined && before !== 'Allow') {
          expect(after).not.toBe('Allow');
        }
        if (before === 'ExplicitDeny') expect(after).toBe('ExplicitDeny');
      }),
      params(12),
    );
  });

  it('adding a permissions boundary never widens', () => {
    fc.assert(
      fc.property(scenarioArb({ boundary: false }), policyArb(), (scenario, boundary) => {
        const before = decide(toInput(scenario));
        const after = decide(toInput({ ...scenario, permissionsBoundary: boundary }));
        if (before !== 'Allow') expect(after).not.toBe('Allow');
        if (before === 'ExplicitDeny') expect(after).toBe('ExplicitDeny');
      }),
      params(13),
    );
  });
});

describe('evaluation is a function of its input', () => {
  const compile = (s: Scenario): Input => {
    const input = toInput(s);
    return {
      ...input,
      identityPolicies: s.identityPolicies.map((p) => parsePolicy(p)),
      ...(s.permissionsBoundary ? { permissionsBoundary: parsePolicy(s.permissionsBoundary) } : {}),
      ...(s.sessionPolicies
        ? { sessionPolicies: s.sessionPolicies.map((p) => parsePolicy(p)) }
        : {}),
      ...(s.resourcePolicy ? { resourcePolicy: parsePolicy(s.resourcePolicy) } : {}),
    };
  };
  const text = (s: Scenario): Input => {
    const input = toInput(s);
    const j = (p: PolicyDoc) => JSON.stringify(p, null, 1);
    return {
      ...input,
      identityPolicies: s.identityPolicies.map(j),
      ...(s.permissionsBoundary ? { permissionsBoundary: j(s.permissionsBoundary) } : {}),
      ...(s.sessionPolicies ? { sessionPolicies: s.sessionPolicies.map(j) } : {}),
      ...(s.resourcePolicy ? { resourcePolicy: j(s.resourcePolicy) } : {}),
    };
  };
  const core = (r: EvaluationResult) => ({ decision: r.decision, matched: r.matched });

  it('raw objects, JSON text and compiled policies decide the same, with the same reasons', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const raw = core(evaluate(toInput(scenario)));
        expect(core(evaluate(compile(scenario)))).toEqual(raw);
        expect(core(evaluate(text(scenario)))).toEqual(raw);
      }),
      params(20),
    );
  });

  it('is deterministic, and explain changes nothing but adds the trace', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const input = compile(scenario);
        const a = evaluate(input);
        const b = evaluate(input);
        expect(b).toEqual(a);
        const explained = evaluate(input, { explain: true });
        expect(core(explained)).toEqual(core(a));
        const statements = [
          ...scenario.identityPolicies,
          ...(scenario.permissionsBoundary ? [scenario.permissionsBoundary] : []),
          ...(scenario.sessionPolicies ?? []),
          ...(scenario.resourcePolicy ? [scenario.resourcePolicy] : []),
        ].reduce((n, p) => n + p.Statement.length, 0);
        expect(explained.explain).toHaveLength(statements);
        const applied = (explained.explain ?? []).filter((e) => e.applies);
        for (const m of a.matched) {
          expect(applied.some((e) => e.policy === m.policy && e.statement === m.statement)).toBe(
            true,
          );
        }
      }),
      params(21),
    );
  });

  it('matched is consistent with the decision', () => {
    fc.assert(
      fc.property(scenarioArb(), (scenario) => {
        const r = evaluate(toInput(scenario));
        if (r.decision === 'ExplicitDeny') {
          expect(r.matched.length).toBeGreaterThan(0);
          expect(r.matched.every((m) => m.effect === 'Deny')).toBe(true);
        } else {
          expect(r.matched.every((m) => m.effect === 'Allow')).toBe(true);
        }
        if (r.decision === 'Allow') expect(r.matched.length).toBeGreaterThan(0);
      }),
      params(22),
    );
  });

  it('the case of the action name and of context key names never matters', () => {
    fc.assert(
      fc.property(scenarioArb(), fc.boolean(), (scenario, upper) => {
        const before = core(evaluate(toInput(scenario)));
        const flip = (t: string) => (upper ? t.toUpperCase() : t.toLowerCase());
        const context = Object.fromEntries(
          Object.entries(scenario.request.context).map(([k, v]) => [flip(k), v]),
        );
        const s = {
          ...scenario,
          request: { ...scenario.request, action: flip(scenario.request.action), context },
        };
        expect(core(evaluate(toInput(s)))).toEqual(before);
      }),
      params(23),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Wildcards stay linear. No clock: a backtracking matcher on these inputs would not return within
// the test's budget (2^stars paths over 10^4 characters), a linear one returns at once. The budget
// is vitest's per-test timeout, set generously below.

describe('wildcard matching stays linear on adversarial patterns', () => {
  const BUDGET_MS = 20_000;

  it('resource patterns a*a*…*b against long runs of a', { timeout: BUDGET_MS }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 20_000 }),
        (stars, n) => {
          const { pattern, value } = adversarialPattern(stars, n);
          const result = evaluate({
            request: { action: 's3:GetObject', resource: `arn:aws:s3:::b/${value}` },
            identityPolicies: [
              {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 's3:GetObject',
                    Resource: `arn:aws:s3:::b/${pattern}`,
                  },
                ],
              },
            ],
          });
          expect(result.decision).toBe('ImplicitDeny');
        },
      ),
      params(30),
    );
  });

  it('StringLike, ForAllValues:StringLike and action patterns with many stars', {
    timeout: BUDGET_MS,
  }, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 20_000 }),
        (stars, n) => {
          const { pattern, value } = adversarialPattern(stars, n);
          const result = evaluate({
            request: {
              action: `svc:${value}`,
              resource: '*',
              context: { 'aws:PrincipalTag/p': value, 'aws:TagKeys': [value, `${value}b`] },
            },
            identityPolicies: [
              {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: `svc:${pattern}`, Resource: '*' },
                  {
                    Effect: 'Allow',
                    Action: '*',
                    Resource: '*',
                    Condition: { StringLike: { 'aws:PrincipalTag/p': pattern } },
                  },
                  {
                    Effect: 'Allow',
                    Action: '*',
                    Resource: '*',
                    Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': pattern } },
                  },
                ],
              },
            ],
          });
          expect(result.decision).toBe('ImplicitDeny');
        },
      ),
      params(31),
    );
  });

  it('a matching adversarial pattern is still found (no false negatives from the fast path)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 2_000 }),
        (stars, extra) => {
          const pattern = `${'a*'.repeat(stars)}b`;
          const value = `${'a'.repeat(stars + extra)}b`;
          const result = evaluate({
            request: { action: 's3:GetObject', resource: `arn:aws:s3:::b/${value}` },
            identityPolicies: [
              {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: 's3:GetObject',
                    Resource: `arn:aws:s3:::b/${pattern}`,
                  },
                ],
              },
            ],
          });
          expect(result.decision).toBe('Allow');
        },
      ),
      params(32),
    );
  });
});
