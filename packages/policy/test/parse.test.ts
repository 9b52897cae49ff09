// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...}
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError, type PolicyErrorCode } from '../src/errors.js';
import { MAX_DOCUMENT_CHARS } from '../src/json.js';
import { parseAst } from '../src/parse.js';

type Doc = Record<string, unknown>;

/** A valid identity-policy statement, to be overridden field by field. */
function statement(overrides: Doc = {}): Doc {
  return {
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::bucket/*',
    ...overrides,
  };
}

function policy(...statements: Doc[]): Doc {
  return { Version: '2012-10-17', Statement: statements };
}

function withCondition(condition: unknown): Doc {
  return policy(statement({ Condition: condition }));
}

function parseError(doc: unknown): PolicyError {
  try {
    parseAst(doc as object);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error('expected parseAst to throw');
}

function expectParseError(doc: unknown, code: PolicyErrorCode, path: string): PolicyError {
  const error = parseError(doc);
  expect({ code: error.code, path: error.path }).toEqual({ code, path });
  expect(error.name).toBe('PolicyError');
  expect(error.message.length).toBeGreaterThan(0);
  return error;
}

describe('parseAst: a valid document', () => {
  it('builds the AST of a statement array', () => {
    const ast = parseAst(
      policy(
        statement({
          Sid: 'Read',
          Condition: { StringEquals: { 'aws:username': ['alice', 'bob'] } },
        }),
        { Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], NotResource: '*' },
      ),
    );
    expect(ast.version).toBe('2012-10-17');
    expect(ast.versionGiven).toBe(true);
    expect(ast.id).toBeUndefined();
    expect(ast.statements).toHaveLength(2);
    const [first, second] = ast.statements;
    expect(first).toMatchObject({
      index: 0,
      path: '/Statement/0',
      sid: 'Read',
      effect: 'Allow',
      action: { element: 'Action', values: ['s3:GetObject'] },
      resource: { element: 'Resource', values: ['arn:aws:s3:::bucket/*'] },
      principal: undefined,
    });
    expect(first?.conditions).toEqual([
      {
        path: '/Statement/0/Condition/StringEquals/aws:username',
        operator: 'StringEquals',
        base: 'StringEquals',
        qualifier: null,
        ifExists: false,
        key: 'aws:username',
        values: ['alice', 'bob'],
      },
    ]);
    expect(second).toMatchObject({
      index: 1,
      path: '/Statement/1',
      effect: 'Deny',
      action: { element: 'NotAction', values: ['iam:*', 'sts:*'] },
      resource: { element: 'NotResource', values: ['*'] },
    });
  });

  it('accepts a single statement object: path /Statement, index 0', () => {
    const ast = parseAst({ Version: '2012-10-17', Id: 'p1', Statement: statement() });
    expect(ast.id).toBe('p1');
    expect(ast.statements[0]).toMatchObject({ index: 0, path: '/Statement' });
  });

  it('parses JSON text the same way as an object', () => {
    const doc = policy(statement());
    expect(parseAst(JSON.stringify(doc))).toEqual(parseAst(doc));
  });

  it('applies 2008-10-17 when Version is missing', () => {
    const ast = parseAst({ Statement: statement() });
    expect(ast.version).toBe('2008-10-17');
    expect(ast.versionGiven).toBe(false);
  });

  it('keeps 2008-10-17 when written', () => {
    const ast = parseAst({ Version: '2008-10-17', Statement: statement() });
    expect(ast).toMatchObject({ version: '2008-10-17', versionGiven: true });
  });

  it('parses a trust statement (no Resource) with principals', () => {
    const ast = parseAst({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
          Principal: {
            Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC',
            AWS: ['123456789012', 'arn:aws:iam::111122223333:role/path/broker', '*'],
            Service: 'lambda.amazonaws.com',
          },
          Condition: {
            StringEquals: { 'token:client_id': 'app-client-id' },
            'ForAnyValue:StringEquals': { 'token:cognito:groups': ['uploaders'] },
          },
        },
      ],
    });
    const [trust] = ast.statements;
    expect(trust?.resource).toBeUndefined();
    expect(trust?.principal).toEqual({
      element: 'Principal',
      any: false,
      entries: [
        { type: 'Federated', id: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' },
        { type: 'AWS', id: '123456789012' },
        { type: 'AWS', id: 'arn:aws:iam::111122223333:role/path/broker' },
        { type: 'AWS', id: '*' },
        { type: 'Service', id: 'lambda.amazonaws.com' },
      ],
    });
    expect(trust?.conditions[1]).toMatchObject({
      operator: 'ForAnyValue:StringEquals',
      base: 'StringEquals',
      qualifier: 'ForAnyValue',
      ifExists: false,
      key: 'token:cognito:groups',
    });
  });

  it('reads "Principal": "*" as any principal', () => {
    const ast = parseAst({
      Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' },
    });
    expect(ast.statements[0]?.principal).toEqual({ element: 'Principal', any: true, entries: [] });
  });

  it('parses set qualifiers and IfExists', () => {
    const ast = parseAst(
      withCondition({
        'ForAllValues:StringLikeIfExists': { 'aws:TagKeys': ['team', 'env*'] },
        NumericLessThanIfExists: { 'tessera:RequestedDuration': 3600 },
        'ForAnyValue:Null': { 'aws:TagKeys': 'false' },
      }),
    );
    expect(
      ast.statements[0]?.conditions.map(({ base, qualifier, ifExists }) => ({
        base,
        qualifier,
        ifExists,
      })),
    ).toEqual([
      { base: 'StringLike', qualifier: 'ForAllValues', ifExists: true },
      { base: 'NumericLessThan', qualifier: null, ifExists: true },
      { base: 'Null', qualifier: 'ForAnyValue', ifExists: false },
    ]);
  });

  it('keeps condition values as written (numbers stay numbers)', () => {
    const ast = parseAst(
      withCondition({
        NumericLessThanEquals: { 's3:max-keys': [10, '20', 1.5e3] },
        Bool: { 'aws:SecureTransport': true },
      }),
    );
    expect(ast.statements[0]?.conditions.map((condition) => condition.values)).toEqual([
      [10, '20', 1500],
      [true],
    ]);
  });

  it.each([
    ['DateGreaterThan', '2026-01-31T12:00:00Z'],
    ['DateLessThan', '2026-01-31'],
    ['DateEquals', '2026-01-31T12:00:00.123+02:00'],
    ['DateLessThanEquals', 1767225600],
    ['DateNotEquals', '1767225600'],
    ['IpAddress', '203.0.113.0/24'],
    ['IpAddress', '10.0.0.1'],
    ['NotIpAddress', '2001:DB8:1234:5678::/64'],
    ['IpAddress', '::'],
    ['IpAddress', '::ffff:192.0.2.1'],
    ['IpAddress', '2001:db8:0:0:0:0:0:1'],
    ['ArnEquals', 'arn:aws:iam::123456789012:role/*'],
    ['ArnLike', 'arn:aws:s3:::bucket/${aws:username}/*'],
    ['ArnNotLike', 'arn:aws:*:*:*:*'],
    ['BinaryEquals', 'QmluYXJ5VmFsdWVJbkJhc2U2NA=='],
    ['Bool', 'false'],
    ['Null', 'true'],
    ['NumericGreaterThan', '-1.5'],
    ['StringLike', 42],
  ])('accepts %s value %s', (operator, value) => {
    expect(() => parseAst(withCondition({ [operator]: { 'aws:SomeKey': value } }))).not.toThrow();
  });

  it('accepts policy variables with a default value in Resource and conditions', () => {
    const resource = "arn:aws:s3:::bucket/${aws:PrincipalTag/team, 'company-wide'}/*";
    const ast = parseAst(
      policy(
        statement({
          Resource: resource,
          Condition: { ArnLike: { 'aws:SourceArn': `${resource}:x` } },
        }),
      ),
    );
    expect(ast.statements[0]?.resource?.values).toEqual([resource]);
  });

  it.each([
    'aws:PrincipalTag/Cost Center',
    'aws:RequestTag/team:sub=1+2@x',
    'token:cognito:groups',
    'token:custom:team',
    'cognito-identity.amazonaws.com:aud',
    'accounts.google.com:sub',
    's3:ExistingObjectTag/classification',
    'tessera:RequestedDuration',
  ])('accepts condition key %s', (key) => {
    expect(() => parseAst(withCondition({ StringEquals: { [key]: 'x' } }))).not.toThrow();
  });

  it.each([
    'arn:aws:iam::123456789012:root',
    'arn:aws:iam::123456789012:user/division/alice',
    'arn:aws:sts::123456789012:assumed-role/admin/alice@example.com',
    'arn:aws:sts::123456789012:federated-user/bob',
    'arn:aws-cn:iam::123456789012:role/r',
    'AROAEXAMPLEID1234567',
    'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHEXAMPLE',
  ])('accepts AWS principal %s', (id) => {
    expect(() =>
      parseAst({
        Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: id } },
      }),
    ).not.toThrow();
  });

  it.each([
    'cognito-identity.amazonaws.com',
    'accounts.google.com',
    'arn:aws:iam::123456789012:saml-provider/Okta',
    'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com',
  ])('accepts Federated principal %s', (id) => {
    expect(() =>
      parseAst({
        Statement: {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: id },
        },
      }),
    ).not.toThrow();
  });
});

describe('parseAst: document errors', () => {
  it.each([
    ['not json', 'InvalidJson'],
    ['{"Statement": [}', 'InvalidJson'],
    ['', 'InvalidJson'],
    ['[]', 'NotAnObject'],
    ['"text"', 'NotAnObject'],
    ['null', 'NotAnObject'],
    ['42', 'NotAnObject'],
  ] as const)('text %j → %s', (text, code) => {
    expectParseError(text, code, '');
  });

  it('refuses a document over the size cap', () => {
    const huge = JSON.stringify({ Statement: statement({ Sid: 'x'.repeat(MAX_DOCUMENT_CHARS) }) });
    expectParseError(huge, 'PolicyTooLarge', '');
    expectParseError(JSON.parse(huge), 'PolicyTooLarge', '');
  });

  it('refuses values that are not JSON data, throwing only PolicyError', () => {
    const cyclic: Doc = { Statement: [] };
    cyclic['self'] = cyclic;
    expectParseError(cyclic, 'InvalidJson', '');
    expectParseError({ Statement: statement({ Sid: 10n }) }, 'InvalidJson', '');
    expectParseError([statement()], 'NotAnObject', '');
    expectParseError(() => 1, 'InvalidJson', '');
    expectParseError(Symbol('x') as unknown as object, 'InvalidJson', '');
    const throwingGetter = Object.defineProperty({}, 'Statement', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expectParseError(throwingGetter, 'InvalidJson', '');
  });

  it('treats undefined and function members as absent (JSON semantics)', () => {
    const ast = parseAst({
      Version: '2012-10-17',
      Id: undefined,
      Statement: statement({ Sid: () => 1 }),
    });
    expect(ast.id).toBeUndefined();
    expect(ast.statements[0]?.sid).toBeUndefined();
  });

  it('never lets __proto__ or constructor keys reach a prototype', () => {
    const text =
      '{"Version":"2012-10-17","__proto__":{"polluted":true},"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}';
    expectParseError(text, 'UnknownElement', '/__proto__');
    expect(({} as Doc)['polluted']).toBeUndefined();
    const conditionText =
      '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"__proto__":{"aws:x":"1"}}}}';
    expectParseError(conditionText, 'UnknownOperator', '/Statement/Condition/__proto__');
    expectParseError(
      '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","constructor":1}}',
      'UnknownElement',
      '/Statement/constructor',
    );
  });

  it('handles deeply nested input without a stack overflow', () => {
    const deep = `{"Statement":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const error = parseError(deep);
    expect(['InvalidStatement', 'InvalidJson']).toContain(error.code);
  });

  it.each([
    [{ Version: '2012-10-18', Statement: statement() }, 'InvalidVersion', '/Version'],
    [{ Version: 20121017, Statement: statement() }, 'InvalidVersion', '/Version'],
    [{ Id: 5, Statement: statement() }, 'InvalidId', '/Id'],
    [{ Version: '2012-10-17' }, 'MissingElement', ''],
    [{ Version: '2012-10-17', Statement: [] }, 'EmptyValueList', '/Statement'],
    [{ Version: '2012-10-17', Statement: 'Allow' }, 'InvalidStatement', '/Statement'],
    [{ Version: '2012-10-17', Statement: [statement(), 'x'] }, 'InvalidStatement', '/Statement/1'],
    [{ Version: '2012-10-17', Statment: [] }, 'UnknownElement', '/Statment'],
    [{ 'a/b~c': 1, Statement: statement() }, 'UnknownElement', '/a~1b~0c'],
  ] as const)('%j → %s at %s', (doc, code, path) => {
    expectParseError(doc, code, path);
  });

  it('refuses a key written twice in one object (text input)', () => {
    expectParseError(
      '{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}]}',
      'DuplicateKey',
      '/Statement/0/Effect',
    );
    expectParseError(
      '{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:a\\"b":"true","aws:a\\"b":"false"}}}}',
      'DuplicateKey',
      '/Statement/Condition/Bool/aws:a"b',
    );
    expect(() =>
      parseAst(
        '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      ),
    ).not.toThrow();
  });

  it('suggests the element meant', () => {
    expect(
      expectParseError({ statement: [statement()] }, 'UnknownElement', '/statement').message,
    ).toContain('"Statement"');
  });
});

describe('parseAst: statement errors', () => {
  it.each([
    [statement({ Sid: 1 }), 'InvalidSid', '/Statement/0/Sid'],
    [statement({ Effect: 'allow' }), 'InvalidEffect', '/Statement/0/Effect'],
    [statement({ Effect: true }), 'InvalidEffect', '/Statement/0/Effect'],
    [{ Action: 's3:GetObject', Resource: '*' }, 'MissingElement', '/Statement/0'],
    [statement({ NotAction: 's3:PutObject' }), 'ActionAndNotAction', '/Statement/0'],
    [{ Effect: 'Allow', Resource: '*' }, 'MissingAction', '/Statement/0'],
    [statement({ Action: [] }), 'EmptyValueList', '/Statement/0/Action'],
    [statement({ Action: 's3' }), 'InvalidAction', '/Statement/0/Action'],
    [statement({ Action: 's3:' }), 'InvalidAction', '/Statement/0/Action'],
    [
      statement({ Action: ['s3:GetObject', 'get object'] }),
      'InvalidAction',
      '/Statement/0/Action/1',
    ],
    [statement({ Action: ['s3:GetObject', 7] }), 'InvalidAction', '/Statement/0/Action/1'],
    [statement({ Action: { s3: 'GetObject' } }), 'InvalidAction', '/Statement/0/Action'],
    [statement({ NotResource: '*' }), 'ResourceAndNotResource', '/Statement/0'],
    [statement({ Resource: 'bucket/*' }), 'InvalidResource', '/Statement/0/Resource'],
    [statement({ Resource: 'arn:aws:s3:::' }), 'InvalidResource', '/Statement/0/Resource'],
    [statement({ Resource: 'arn:aws:s3' }), 'InvalidResource', '/Statement/0/Resource'],
    [statement({ Resource: ['*', null] }), 'InvalidResource', '/Statement/0/Resource/1'],
    [statement({ Resource: [] }), 'EmptyValueList', '/Statement/0/Resource'],
    [statement({ Principal: '*', NotPrincipal: '*' }), 'PrincipalAndNotPrincipal', '/Statement/0'],
    [statement({ Elephant: 1 }), 'UnknownElement', '/Statement/0/Elephant'],
    [statement({ Resources: '*' }), 'UnknownElement', '/Statement/0/Resources'],
  ] as const)('%j → %s at %s', (stmt, code, path) => {
    expectParseError({ Version: '2012-10-17', Statement: [stmt] }, code, path);
  });

  it('reports a duplicate Sid at the second statement', () => {
    expectParseError(
      policy(statement({ Sid: 'Same' }), statement({ Sid: 'Same' })),
      'DuplicateSid',
      '/Statement/1/Sid',
    );
  });

  it('suggests the Effect meant', () => {
    const error = expectParseError(
      policy(statement({ Effect: 'Alow' })),
      'InvalidEffect',
      '/Statement/0/Effect',
    );
    expect(error.message).toContain('"Allow"');
  });

  it('reports the first error in document order', () => {
    const error = parseError(policy(statement({ Effect: 'deny', Action: [] })));
    expect(error.code).toBe('InvalidEffect');
  });
});

describe('parseAst: principal errors', () => {
  const trust = (principal: unknown, element = 'Principal') => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', [element]: principal }],
  });

  it.each([
    ['arn:aws:iam::123456789012:root', 'InvalidPrincipal', '/Statement/0/Principal'],
    [{}, 'InvalidPrincipal', '/Statement/0/Principal'],
    [['*'], 'InvalidPrincipal', '/Statement/0/Principal'],
    [{ Aws: '123456789012' }, 'InvalidPrincipal', '/Statement/0/Principal/Aws'],
    [{ AWS: [] }, 'EmptyValueList', '/Statement/0/Principal/AWS'],
    [{ AWS: 123456789012 }, 'InvalidPrincipal', '/Statement/0/Principal/AWS'],
    [{ AWS: '12345678901' }, 'InvalidPrincipal', '/Statement/0/Principal/AWS'],
    [{ AWS: 'arn:aws:iam::123456789012:role/*' }, 'InvalidPrincipal', '/Statement/0/Principal/AWS'],
    [
      { AWS: 'arn:aws:iam::123456789012:role/*/x' },
      'InvalidPrincipal',
      '/Statement/0/Principal/AWS',
    ],
    [{ AWS: 'arn:aws:iam::*:root' }, 'InvalidPrincipal', '/Statement/0/Principal/AWS'],
    [
      { AWS: 'arn:aws:iam::123456789012:group/devs' },
      'InvalidPrincipal',
      '/Statement/0/Principal/AWS',
    ],
    [{ AWS: ['123456789012', 'bob'] }, 'InvalidPrincipal', '/Statement/0/Principal/AWS/1'],
    [{ Federated: 'example.com' }, 'InvalidPrincipal', '/Statement/0/Principal/Federated'],
    [{ Federated: '*' }, 'InvalidPrincipal', '/Statement/0/Principal/Federated'],
    [{ Service: 'ec2' }, 'InvalidPrincipal', '/Statement/0/Principal/Service'],
    [{ CanonicalUser: 'abc' }, 'InvalidPrincipal', '/Statement/0/Principal/CanonicalUser'],
  ] as const)('%j → %s at %s', (principal, code, path) => {
    expectParseError(trust(principal), code, path);
  });

  it('checks NotPrincipal the same way', () => {
    expectParseError(
      trust({ AWS: 'nobody' }, 'NotPrincipal'),
      'InvalidPrincipal',
      '/Statement/0/NotPrincipal/AWS',
    );
  });
});

describe('parseAst: condition errors', () => {
  it.each([
    [[], 'InvalidCondition', '/Statement/0/Condition'],
    ['x', 'InvalidCondition', '/Statement/0/Condition'],
    [{ StringEquals: 'x' }, 'InvalidCondition', '/Statement/0/Condition/StringEquals'],
    [{ StringEquals: ['x'] }, 'InvalidCondition', '/Statement/0/Condition/StringEquals'],
    [{ StringLik: { 'aws:x': 'a' } }, 'UnknownOperator', '/Statement/0/Condition/StringLik'],
    [{ stringequals: { 'aws:x': 'a' } }, 'UnknownOperator', '/Statement/0/Condition/stringequals'],
    [
      { NullIfExists: { 'aws:x': 'true' } },
      'UnknownOperator',
      '/Statement/0/Condition/NullIfExists',
    ],
    [
      { 'ForSomeValue:StringEquals': { 'aws:x': 'a' } },
      'UnknownOperator',
      '/Statement/0/Condition/ForSomeValue:StringEquals',
    ],
    [
      { 'ForAllValues:StringEquals:IfExists': { 'aws:x': 'a' } },
      'UnknownOperator',
      '/Statement/0/Condition/ForAllValues:StringEquals:IfExists',
    ],
    [
      { StringEquals: { username: 'a' } },
      'InvalidConditionKey',
      '/Statement/0/Condition/StringEquals/username',
    ],
    [
      { StringEquals: { 'aws:': 'a' } },
      'InvalidConditionKey',
      '/Statement/0/Condition/StringEquals/aws:',
    ],
    [
      { StringEquals: { 'aws:Principal Tag': 'a' } },
      'InvalidConditionKey',
      '/Statement/0/Condition/StringEquals/aws:Principal Tag',
    ],
    [
      { StringEquals: { 'aws:ResourceTag/': 'a' } },
      'InvalidConditionKey',
      '/Statement/0/Condition/StringEquals/aws:ResourceTag~1',
    ],
    [
      { StringEquals: { 'aws:x': [] } },
      'EmptyValueList',
      '/Statement/0/Condition/StringEquals/aws:x',
    ],
    [
      { StringEquals: { 'aws:x': null } },
      'InvalidConditionValue',
      '/Statement/0/Condition/StringEquals/aws:x',
    ],
    [
      { StringEquals: { 'aws:x': { a: 1 } } },
      'InvalidConditionValue',
      '/Statement/0/Condition/StringEquals/aws:x',
    ],
    [
      { StringEquals: { 'aws:x': ['a', ['b']] } },
      'InvalidConditionValue',
      '/Statement/0/Condition/StringEquals/aws:x/1',
    ],
    [
      { StringEquals: { 'aws:username': 'a', 'AWS:Username': 'b' } },
      'DuplicateConditionKey',
      '/Statement/0/Condition/StringEquals/AWS:Username',
    ],
  ] as const)('%j → %s at %s', (condition, code, path) => {
    expectParseError(withCondition(condition), code, path);
  });

  it('suggests the operator meant', () => {
    const error = expectParseError(
      withCondition({ StringLik: { 'aws:x': 'a' } }),
      'UnknownOperator',
      '/Statement/0/Condition/StringLik',
    );
    expect(error.message).toContain('"StringLike"');
    const lower = parseError(withCondition({ 'foranyvalue:stringequals': { 'aws:x': 'a' } }));
    expect(lower.message).toContain('"ForAnyValue:StringEquals"');
  });

  it.each([
    ['NumericEquals', 'ten'],
    ['NumericLessThan', '1O'],
    ['NumericGreaterThan', true],
    ['NumericEquals', '${aws:x}'],
    ['DateLessThan', 'yesterday'],
    ['DateLessThan', '2026-13-01'],
    ['DateLessThan', '2026-02-30T00:00:00Z'],
    ['DateGreaterThan', '2026-01-01T25:00:00Z'],
    ['DateEquals', false],
    ['DateEquals', -5],
    ['Bool', 'yes'],
    ['Bool', 1],
    ['Null', 'maybe'],
    ['IpAddress', '300.1.1.1'],
    ['IpAddress', '10.0.0.0/33'],
    ['IpAddress', '10.0.0'],
    ['IpAddress', '010.0.0.1'],
    ['NotIpAddress', '2001:db8::1::1'],
    ['NotIpAddress', '2001:db8::/129'],
    ['IpAddress', '1:2:3:4:5:6:7'],
    ['IpAddress', 'fe80::1%eth0'],
    ['IpAddress', 10],
    ['ArnEquals', 'not-an-arn'],
    ['ArnLike', 'arn:aws:iam::*'],
    ['ArnNotEquals', 42],
    ['BinaryEquals', 'not base64!'],
    ['BinaryEquals', 'abc'],
  ] as const)('%s refuses %j', (operator, value) => {
    expectParseError(
      withCondition({ [operator]: { 'aws:SomeKey': value } }),
      'InvalidConditionValue',
      `/Statement/0/Condition/${operator}/aws:SomeKey`,
    );
  });

  it('points at the bad item of a value list', () => {
    expectParseError(
      withCondition({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', 'nope'] } }),
      'InvalidConditionValue',
      '/Statement/0/Condition/IpAddress/aws:SourceIp/1',
    );
  });
});

describe('parseAst: never throws anything but PolicyError', () => {
  it('for arbitrary JSON values and text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.string(), fc.json()), (input) => {
        try {
          parseAst(input as object);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('for policy-shaped documents with arbitrary members', () => {
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    const element = fc.oneof(
      scalar,
      fc.array(scalar),
      fc.dictionary(fc.string(), fc.oneof(scalar, fc.array(scalar))),
    );
    const statementArb = fc.record(
      {
        Sid: element,
        Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), element),
        Action: fc.oneof(fc.constantFrom('*', 's3:GetObject'), element),
        Resource: fc.oneof(fc.constant('*'), element),
        Principal: element,
        Condition: fc.dictionary(
          fc.constantFrom(
            'StringEquals',
            'ForAnyValue:StringLike',
            'Bool',
            'IpAddress',
            'DateLessThan',
            'x',
          ),
          fc.dictionary(fc.constantFrom('aws:username', 'aws:SourceIp', 'bad key'), element),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.record({
          Version: fc.constantFrom('2012-10-17', 'x'),
          Statement: fc.array(statementArb),
        }),
        (doc) => {
          try {
            const ast = parseAst(doc);
            expect(ast.statements.length).toBe(doc.Statement.length);
          } catch (error) {
            expect(error).toBeInstanceOf(PolicyError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
