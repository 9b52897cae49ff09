/**
 * The JSON corpus: every case is an example or a rule from the AWS IAM User Guide (cited in its
 * `doc` field), with the decision AND the statements that decided it. Cases live in
 * `fixtures/evaluate/<topic>.json` and `fixtures/validate/<topic>.json`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type EvaluationDecision,
  evaluate,
  type MatchedStatement,
  PolicyError,
  type PolicyKind,
  parsePolicy,
  validatePolicy,
} from '../src/index.js';

type EvaluateInput = Parameters<typeof evaluate>[0];

interface EvaluateCase {
  readonly id: string;
  readonly doc: string;
  readonly description: string;
  readonly input: EvaluateInput;
  /** A decision, or the PolicyError `evaluate` must throw (a policy IAM refuses in its slot). */
  readonly expect:
    | { readonly decision: EvaluationDecision; readonly matched: MatchedStatement[] }
    | { readonly error: { readonly code: string; readonly path: string } };
}

interface FindingRef {
  readonly code: string;
  readonly path: string;
}

interface ValidateCase {
  readonly id: string;
  readonly doc: string;
  readonly description?: string;
  readonly policy: unknown;
  readonly kind?: PolicyKind;
  readonly expect: { readonly errors: FindingRef[]; readonly warnings: FindingRef[] };
}

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

function load<T>(dir: string): T[] {
  const root = `${fixtures}${dir}/`;
  return readdirSync(root)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(`${root}${f}`, 'utf8')) as T[]);
}

const evaluateCases = load<EvaluateCase>('evaluate');
const validateCases = load<ValidateCase>('validate');

/** Compiles every policy of an input: the corpus must decide the same raw and compiled. */
function compiled(input: EvaluateInput): EvaluateInput {
  const c = (p: unknown) => parsePolicy(p as object);
  return {
    ...input,
    ...(input.identityPolicies ? { identityPolicies: input.identityPolicies.map(c) } : {}),
    ...(input.permissionsBoundary ? { permissionsBoundary: c(input.permissionsBoundary) } : {}),
    ...(input.sessionPolicies ? { sessionPolicies: input.sessionPolicies.map(c) } : {}),
    ...(input.resourcePolicy ? { resourcePolicy: c(input.resourcePolicy) } : {}),
  };
}

describe('corpus shape', () => {
  it('has at least 220 evaluate cases', () => {
    expect(evaluateCases.length).toBeGreaterThanOrEqual(220);
  });

  it('cites an AWS document in every case and uses unique ids', () => {
    const ids = new Set<string>();
    for (const c of [...evaluateCases, ...validateCases]) {
      expect(c.doc, c.id).toMatch(/https:\/\/\S+/);
      expect(c.doc.trim().length, c.id).toBeGreaterThan(20);
      expect(ids.has(c.id), `duplicate id ${c.id}`).toBe(false);
      ids.add(c.id);
    }
  });
});

describe('evaluate corpus', () => {
  it.each(evaluateCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    if ('error' in c.expect) {
      // Raw, compiled and explained alike: the same PolicyError (class, code, path).
      for (const run of [
        () => evaluate(c.input),
        () => evaluate(compiled(c.input)),
        () => evaluate(c.input, { explain: true }),
      ]) {
        expect(run).toThrow(PolicyError);
        expect(run).toThrow(expect.objectContaining(c.expect.error));
      }
      return;
    }
    const result = evaluate(c.input);
    expect({ decision: result.decision, matched: result.matched }).toEqual(c.expect);
    // Same answer from compiled policies, and explain does not change the decision.
    expect(evaluate(compiled(c.input)).decision).toBe(c.expect.decision);
    const explained = evaluate(c.input, { explain: true });
    expect(explained.decision).toBe(c.expect.decision);
    expect(explained.matched).toEqual(c.expect.matched);
  });
});

describe('validate corpus', () => {
  it.each(validateCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const findings = validatePolicy(
      c.policy as string | object,
      c.kind === undefined ? {} : { kind: c.kind },
    );
    const pick = (severity: 'error' | 'warning') =>
      findings
        .filter((f) => f.severity === severity)
        .map((f) => ({ code: f.code, path: f.path }))
        .sort(byCodePath);
    expect({ errors: pick('error'), warnings: pick('warning') }).toEqual({
      errors: [...c.expect.errors].sort(byCodePath),
      warnings: [...c.expect.warnings].sort(byCodePath),
    });
  });
});

function byCodePath(a: FindingRef, b: FindingRef): number {
  return a.code === b.code ? a.path.localeCompare(b.path) : a.code.localeCompare(b.code);
}
