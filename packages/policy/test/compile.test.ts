// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here is IAM policy-variable syntax, not a JS template.
import { describe, expect, it } from 'vitest';
import { compilePolicy, isPolicy } from '../src/compile.js';
import { PolicyError, parsePolicy } from '../src/index.js';
import { parseAst } from '../src/parse.js';

const doc = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'A',
      Effect: 'Allow',
      Action: ['S3:GetObject', 's3:List*'],
      Resource: 'arn:aws:s3:::b/${aws:username}/*',
    },
    {
      Effect: 'Deny',
      NotAction: 'iam:*',
      NotResource: 'arn:aws:s3:::b',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

describe('compilePolicy', () => {
  it('keeps the AST and compiles every statement', () => {
    const ast = parseAst(doc);
    const p = compilePolicy(ast);
    expect(p.ast).toBe(ast);
    expect(p.variables).toBe(true);
    expect(p.statements).toHaveLength(2);
    const [a, b] = p.statements;
    expect(a?.sid).toBe('A');
    expect(a?.action.globs.map((g) => g.kind)).toEqual(['exact', 'prefix']);
    expect(a?.action.globs[0]).toEqual({ kind: 'exact', text: 's3:getobject' });
    expect(a?.resource?.patterns[0]?.template).not.toBeNull();
    expect(b?.action.element).toBe('NotAction');
    expect(b?.resource?.element).toBe('NotResource');
    expect(b?.conditions[0]?.lowerKey).toBe('aws:securetransport');
  });

  it('disables policy variables without Version 2012-10-17', () => {
    const p = parsePolicy({
      Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}' }],
    });
    expect(p.variables).toBe(false);
    expect(p.statements[0]?.resource?.patterns[0]?.template).toBeNull();
  });
});

describe('parsePolicy / isPolicy', () => {
  it('tells compiled policies from raw documents', () => {
    expect(isPolicy(parsePolicy(doc))).toBe(true);
    expect(isPolicy(doc)).toBe(false);
    expect(isPolicy(JSON.stringify(doc))).toBe(false);
    expect(isPolicy({ ...doc, ast: {}, statements: [] })).toBe(false);
  });

  it('throws PolicyError with a code for invalid documents', () => {
    for (const [bad, code] of [
      ['{', 'InvalidJson'],
      ['[]', 'NotAnObject'],
    ] as const) {
      try {
        parsePolicy(bad);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(PolicyError);
        expect((err as PolicyError).code).toBe(code);
      }
    }
  });
});

describe('shared compiled conditions and resource patterns', () => {
  const statement = (condition: object, resource = 'arn:aws:s3:::b/${aws:username}/*') => ({
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: resource,
    Condition: condition,
  });

  it('a condition or resource written alike in two statements (or policies) is one object', () => {
    const c = { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } };
    const p = parsePolicy({ Version: '2012-10-17', Statement: [statement(c), statement(c)] });
    const q = parsePolicy({ Version: '2012-10-17', Statement: [statement(c)] });
    expect(p.statements[0]!.conditions[0]).toBe(p.statements[1]!.conditions[0]);
    expect(q.statements[0]!.conditions[0]).toBe(p.statements[0]!.conditions[0]);
    expect(p.statements[0]!.resource!.patterns[0]).toBe(p.statements[1]!.resource!.patterns[0]);
  });

  it('never shares across a different value split, value type, effect or variables mode', () => {
    const one = { StringEquals: { 'aws:username': 'a\u0000b' } };
    const two = { StringEquals: { 'aws:username': ['a', 'b'] } };
    const number = { NumericEquals: { 's3:max-keys': 10 } };
    const text = { NumericEquals: { 's3:max-keys': '10' } };
    const p = parsePolicy({
      Version: '2012-10-17',
      Statement: [statement(one), statement(two), statement(number), statement(text)],
    });
    const [a, b, n, t] = p.statements.map((s) => s.conditions[0]);
    expect(a).not.toBe(b);
    expect(a!.operands).toHaveLength(1);
    expect(b!.operands).toHaveLength(2);
    expect(n).not.toBe(t);
    // An unreadable request value reads differently in Allow and Deny: never one object.
    const deny = parsePolicy({
      Version: '2012-10-17',
      Statement: [{ ...statement(number), Effect: 'Deny' }],
    });
    expect(deny.statements[0]!.conditions[0]).not.toBe(n);
    const literal = parsePolicy({ Statement: [statement(one)] }); // 2008-10-17: variables are text
    expect(literal.statements[0]!.conditions[0]).not.toBe(a);
    expect(literal.statements[0]!.resource!.patterns[0]!.template).toBeNull();
    expect(p.statements[0]!.resource!.patterns[0]!.template).not.toBeNull();
  });
});
