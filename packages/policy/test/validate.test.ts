// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables are written ${...}
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../src/compile.js';
import type { Finding, PolicyKind } from '../src/types.js';
import { validatePolicy } from '../src/validate.js';

type Doc = Record<string, unknown>;

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

function trustStatement(overrides: Doc = {}): Doc {
  return {
    Effect: 'Allow',
    Action: 'sts:AssumeRoleWithWebIdentity',
    Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' },
    Condition: { StringEquals: { 'token:client_id': 'app-client-id' } },
    ...overrides,
  };
}

/** `[severity, code, path]` triples: what the tests assert (never message text alone). */
function findings(doc: unknown, kind?: PolicyKind): [Finding['severity'], string, string][] {
  const result = validatePolicy(doc as object, kind === undefined ? undefined : { kind });
  for (const finding of result) expect(finding.message.length).toBeGreaterThan(0);
  return result.map((finding) => [finding.severity, finding.code, finding.path]);
}

function codes(doc: unknown, kind?: PolicyKind): string[] {
  return findings(doc, kind).map(([, code]) => code);
}

describe('validatePolicy: clean documents', () => {
  it.each([
    ['identity', policy(statement({ Sid: 'ReadBucket' }))],
    ['session', policy(statement())],
    ['boundary', policy(statement({ Effect: 'Deny', Action: 'iam:*', Resource: '*' }))],
    [
      'resource',
      policy(statement({ Sid: 'Public read, not list', Principal: { AWS: '123456789012' } })),
    ],
    ['trust', policy(trustStatement())],
  ] as const)('a %s policy has no findings', (kind, doc) => {
    expect(findings(doc, kind)).toEqual([]);
  });

  it("accepts the design document's app-upload binding (trust and session policy)", () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: 'cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC' },
          Condition: {
            StringEquals: { 'token:client_id': 'app-client-id' },
            'ForAnyValue:StringEquals': { 'token:cognito:groups': ['uploaders'] },
          },
        },
      ],
    };
    const session = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::media-bucket/uploads/${token:sub}/*',
        },
      ],
    };
    expect(findings(trust, 'trust')).toEqual([]);
    expect(findings(session, 'session')).toEqual([]);
  });

  it('without a kind, accepts both identity-shaped and trust-shaped statements', () => {
    expect(findings(policy(statement(), trustStatement()))).toEqual([]);
  });
});

describe('validatePolicy: reports every structural error with its path', () => {
  it('collects all errors in one walk', () => {
    const doc = {
      Version: '2012-10-18',
      Foo: 1,
      Statement: [
        statement({ Sid: 'A', Effect: 'allow', Action: [] }),
        statement({
          Sid: 'A',
          Condition: {
            StringLik: { 'aws:x': 'a' },
            IpAddress: { 'aws:SourceIp': ['1.2.3.4', 'x'] },
          },
        }),
        { Effect: 'Deny', Resource: '*' },
      ],
    };
    expect(findings(doc)).toEqual([
      ['error', 'InvalidVersion', '/Version'],
      ['error', 'UnknownElement', '/Foo'],
      ['error', 'InvalidEffect', '/Statement/0/Effect'],
      ['error', 'EmptyValueList', '/Statement/0/Action'],
      ['error', 'UnknownOperator', '/Statement/1/Condition/StringLik'],
      ['error', 'InvalidConditionValue', '/Statement/1/Condition/IpAddress/aws:SourceIp/1'],
      ['error', 'MissingAction', '/Statement/2'],
      ['error', 'DuplicateSid', '/Statement/1/Sid'],
    ]);
  });

  it('reports an unreadable document once', () => {
    expect(findings('{')).toEqual([['error', 'InvalidJson', '']]);
    expect(findings('[1]')).toEqual([['error', 'NotAnObject', '']]);
  });

  it('says "did you mean"', () => {
    const [effect] = validatePolicy(policy(statement({ Effect: 'Alow' })));
    expect(effect).toMatchObject({ code: 'InvalidEffect', path: '/Statement/0/Effect' });
    expect(effect?.message).toContain('did you mean "Allow"');
    const [operator] = validatePolicy(
      policy(statement({ Condition: { StringEqual: { 'aws:x': 'a' } } })),
    );
    expect(operator?.message).toContain('did you mean "StringEquals"');
  });
});

describe('validatePolicy: kind rules', () => {
  it.each(['identity', 'session', 'boundary'] as const)(
    'a %s policy names no principal',
    (kind) => {
      expect(findings(policy(statement({ Principal: '*' })), kind)).toContainEqual([
        'error',
        'PrincipalNotAllowed',
        '/Statement/0/Principal',
      ]);
      expect(
        findings(policy(statement({ NotPrincipal: { AWS: '123456789012' } })), kind),
      ).toContainEqual(['error', 'PrincipalNotAllowed', '/Statement/0/NotPrincipal']);
    },
  );

  it.each(['identity', 'session', 'boundary', 'resource'] as const)(
    'a %s policy needs a resource',
    (kind) => {
      const doc = policy({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Principal: { AWS: '123456789012' },
      });
      expect(findings(doc, kind)).toContainEqual(['error', 'MissingResource', '/Statement/0']);
    },
  );

  it.each(['resource', 'trust'] as const)('a %s policy needs a principal', (kind) => {
    expect(findings(policy(statement()), kind)).toContainEqual([
      'error',
      'MissingPrincipal',
      '/Statement/0',
    ]);
  });

  it('a resource policy may use NotPrincipal (with Deny)', () => {
    const doc = policy(
      statement({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' } }),
    );
    expect(findings(doc, 'resource')).toEqual([]);
  });

  it('a trust policy has no Resource, NotResource or NotPrincipal', () => {
    expect(findings(policy(trustStatement({ Resource: '*' })), 'trust')).toEqual([
      ['error', 'ResourceNotAllowed', '/Statement/0/Resource'],
    ]);
    expect(findings(policy(trustStatement({ NotResource: '*' })), 'trust')).toEqual([
      ['error', 'ResourceNotAllowed', '/Statement/0/NotResource'],
    ]);
    const notPrincipal = policy(
      trustStatement({
        Effect: 'Deny',
        Principal: undefined,
        NotPrincipal: { AWS: '123456789012' },
      }),
    );
    expect(findings(notPrincipal, 'trust')).toEqual([
      ['error', 'PrincipalNotAllowed', '/Statement/0/NotPrincipal'],
    ]);
  });

  it('without a kind, a statement with neither resource nor principal is wrong for every kind', () => {
    expect(findings(policy({ Effect: 'Allow', Action: 's3:GetObject' }))).toEqual([
      ['error', 'MissingResource', '/Statement/0'],
    ]);
  });

  it('IAM policies allow only letters and digits in a Sid; resource policies allow more', () => {
    const doc = policy(statement({ Sid: 'read only', Principal: { AWS: '123456789012' } }));
    expect(findings(doc, 'resource')).toEqual([]);
    const identity = policy(statement({ Sid: 'read-only' }));
    expect(findings(identity, 'identity')).toEqual([['error', 'InvalidSid', '/Statement/0/Sid']]);
    expect(findings(policy(trustStatement({ Sid: 'a_b' })), 'trust')).toEqual([
      ['error', 'InvalidSid', '/Statement/0/Sid'],
    ]);
  });

  it('an identity policy should not carry an Id', () => {
    const doc = { Version: '2012-10-17', Id: 'x', Statement: [statement()] };
    expect(findings(doc, 'identity')).toEqual([['warning', 'IdInIdentityPolicy', '/Id']]);
    expect(findings(doc)).toEqual([]);
  });

  it('checks size without white space: session policies over 2,048 characters are refused', () => {
    const resources = Array.from(
      { length: 60 },
      (_, index) => `arn:aws:s3:::bucket-${index}/prefix/*`,
    );
    const doc = policy(statement({ Resource: resources }));
    expect(JSON.stringify(doc).length).toBeGreaterThan(2048);
    expect(findings(doc, 'session')).toEqual([['error', 'PolicyTooLarge', '']]);
    expect(findings(doc, 'identity')).toEqual([]);
    const padded = JSON.stringify(policy(statement())).replaceAll(',', `,\n${' '.repeat(1000)}`);
    expect(padded.length).toBeGreaterThan(2048);
    expect(findings(padded, 'session')).toEqual([]);
  });

  it('warns when a trust policy exceeds the default 2,048-character quota', () => {
    const many = Array.from(
      { length: 80 },
      (_, index) => `arn:aws:iam::123456789012:role/role-${index}`,
    );
    const doc = policy(trustStatement({ Action: 'sts:AssumeRole', Principal: { AWS: many } }));
    expect(findings(doc, 'trust')).toEqual([['warning', 'PolicySizeExceedsQuota', '']]);
  });
});

describe('validatePolicy: NotPrincipal with Allow', () => {
  it('is an error in a resource policy and without a kind; Deny with NotPrincipal is not', () => {
    const doc = policy(statement({ NotPrincipal: { AWS: '123456789012' } }));
    expect(findings(doc, 'resource')).toEqual([
      ['error', 'AllowWithNotPrincipal', '/Statement/0/NotPrincipal'],
    ]);
    expect(findings(doc)).toEqual([
      ['error', 'AllowWithNotPrincipal', '/Statement/0/NotPrincipal'],
    ]);
    const deny = policy(statement({ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' } }));
    expect(findings(deny, 'resource')).toEqual([]);
  });

  it('parsePolicy still accepts it (evaluate decides it fail-closed)', () => {
    const doc = policy(statement({ NotPrincipal: { AWS: '123456789012' } }));
    expect(() => parsePolicy(doc)).not.toThrow();
  });
});

describe('validatePolicy: warnings', () => {
  it('Allow with NotAction', () => {
    expect(findings(policy(statement({ Action: undefined, NotAction: 'iam:*' })))).toEqual([
      ['warning', 'AllowWithNotAction', '/Statement/0/NotAction'],
    ]);
    expect(
      findings(policy(statement({ Effect: 'Deny', Action: undefined, NotAction: 'iam:*' }))),
    ).toEqual([]);
  });

  it.each(['*', '*:*'])('Allow of %s on every resource', (action) => {
    expect(codes(policy(statement({ Action: action, Resource: '*' })))).toContain('AllowAllOnAll');
    expect(
      codes(policy(statement({ Effect: 'Deny', Action: action, Resource: '*' }))),
    ).not.toContain('AllowAllOnAll');
  });

  it('a wildcard in a service name', () => {
    expect(findings(policy(statement({ Action: ['s3:GetObject', 's*:Get*'] })))).toEqual([
      ['warning', 'WildcardInServiceName', '/Statement/0/Action'],
    ]);
  });

  it('a policy variable in Action', () => {
    expect(findings(policy(statement({ Action: 's3:${aws:username}' })))).toEqual([
      ['warning', 'PolicyVariableInAction', '/Statement/0/Action'],
    ]);
  });

  it('a policy variable without Version 2012-10-17 is literal text', () => {
    const resource = 'arn:aws:s3:::bucket/${aws:username}/*';
    const condition = { StringLike: { 's3:prefix': '${aws:username}/*' } };
    const stmt = statement({ Resource: resource, Condition: condition });
    const expected = [
      ['warning', 'PolicyVariableTreatedAsLiteral', '/Statement/Resource'],
      ['warning', 'PolicyVariableTreatedAsLiteral', '/Statement/Condition/StringLike/s3:prefix'],
    ];
    expect(findings({ Statement: stmt })).toEqual(expected);
    expect(findings({ Version: '2008-10-17', Statement: stmt })).toEqual(expected);
    expect(findings({ Version: '2012-10-17', Statement: stmt })).toEqual([]);
  });

  it('ForAllValues in an Allow statement, unless the key is also checked with Null false', () => {
    const forAll = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } };
    expect(findings(policy(statement({ Condition: forAll })))).toEqual([
      [
        'warning',
        'ForAllValuesInAllow',
        '/Statement/0/Condition/ForAllValues:StringEquals/aws:TagKeys',
      ],
    ]);
    const guarded = { ...forAll, Null: { 'aws:tagkeys': 'false' } };
    expect(findings(policy(statement({ Condition: guarded })))).toEqual([]);
    expect(findings(policy(statement({ Effect: 'Deny', Condition: forAll })))).toEqual([]);
  });

  it.each([
    ['ForAnyValue:StringEquals', 'aws:username'],
    ['ForAllValues:StringLike', 'aws:PrincipalTag/team'],
    ['ForAnyValue:IpAddress', 'aws:SourceIp'],
    ['ForAnyValue:StringEquals', 'token:sub'],
    ['ForAnyValue:NumericLessThan', 'tessera:RequestedDuration'],
  ])('%s on single-valued %s', (operator, key) => {
    const value = operator.endsWith('IpAddress')
      ? '10.0.0.0/8'
      : operator.includes('Numeric')
        ? 3600
        : 'x';
    const doc = policy(statement({ Effect: 'Deny', Condition: { [operator]: { [key]: value } } }));
    expect(findings(doc)).toEqual([
      [
        'warning',
        'SetQualifierOnSingleValuedKey',
        `/Statement/0/Condition/${operator}/${key.replace('/', '~1')}`,
      ],
    ]);
  });

  it.each(['aws:TagKeys', 'token:cognito:groups', 'aws:PrincipalOrgPaths', 'aws:CalledVia'])(
    'a plain operator on multivalued %s',
    (key) => {
      expect(findings(policy(statement({ Condition: { StringEquals: { [key]: 'x' } } })))).toEqual([
        [
          'warning',
          'MultiValuedKeyWithoutSetQualifier',
          `/Statement/0/Condition/StringEquals/${key}`,
        ],
      ]);
    },
  );

  it('keys it does not know get no cardinality warning', () => {
    const condition = {
      StringEquals: { 's3:prefix': 'x' },
      'ForAnyValue:StringEquals': { 'ec2:ResourceTag/x': 'y' },
    };
    expect(codes(policy(statement({ Effect: 'Deny', Condition: condition })))).toEqual([]);
  });

  it('Null with a set qualifier', () => {
    expect(
      findings(policy(statement({ Condition: { 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } }))),
    ).toEqual([
      ['warning', 'NullWithQualifier', '/Statement/0/Condition/ForAnyValue:Null/aws:TagKeys'],
    ]);
  });

  it('an empty condition block checks nothing', () => {
    expect(findings(policy(statement({ Condition: {} })))).toEqual([
      ['warning', 'EmptyConditionBlock', '/Statement/0/Condition'],
    ]);
    expect(findings(policy(statement({ Condition: { StringEquals: {} } })))).toEqual([
      ['warning', 'EmptyConditionBlock', '/Statement/0/Condition/StringEquals'],
    ]);
  });

  it('a trust statement that lets a federated or any principal in without a condition', () => {
    expect(findings(policy(trustStatement({ Condition: undefined })), 'trust')).toEqual([
      ['warning', 'TrustPolicyWithoutCondition', '/Statement/0'],
    ]);
    expect(
      findings(policy(trustStatement({ Principal: '*', Condition: undefined })), 'trust'),
    ).toEqual([['warning', 'TrustPolicyWithoutCondition', '/Statement/0']]);
    const account = trustStatement({
      Action: 'sts:AssumeRole',
      Principal: { AWS: '123456789012' },
      Condition: undefined,
    });
    expect(findings(policy(account), 'trust')).toEqual([]);
  });

  it('a trust statement that checks only claims users can change', () => {
    const doc = policy(
      trustStatement({ Condition: { StringEquals: { 'token:custom:team': 'admins' } } }),
    );
    expect(findings(doc, 'trust')).toEqual([
      ['warning', 'OnlyUserWritableClaimsChecked', '/Statement/0'],
    ]);
  });

  it('a trust statement allowing an action that is not an STS action', () => {
    expect(
      findings(policy(trustStatement({ Action: ['sts:AssumeRole', 's3:GetObject'] })), 'trust'),
    ).toEqual([['warning', 'TrustPolicyActionNotSts', '/Statement/0/Action']]);
  });
});

describe('validatePolicy: policy variable syntax and Boolean lists (Access Analyzer errors)', () => {
  it.each([
    ['arn:aws:s3:::bucket/${aws:username', 'no closing brace'],
    ['arn:aws:s3:::bucket/${}/x', 'empty'],
    ['arn:aws:s3:::bucket/${aws:user name}', 'space in the key'],
    ['arn:aws:s3:::bucket/${aws:username, anonymous}', 'default without quotes'],
  ])('refuses %s (%s)', (resource) => {
    expect(findings(policy(statement({ Resource: resource })))).toEqual([
      ['error', 'InvalidPolicyVariable', '/Statement/0/Resource'],
    ]);
  });

  it('accepts defaults and escapes, and checks String and Arn condition values', () => {
    const resource = [
      "arn:aws:s3:::bucket/${aws:username, 'anonymous'}/${*}",
      'arn:aws:s3:::b/${aws:userid}',
    ];
    expect(findings(policy(statement({ Resource: resource })))).toEqual([]);
    const condition = { StringLike: { 's3:prefix': ['home/${aws:username'] } };
    expect(findings(policy(statement({ Condition: condition })))).toEqual([
      ['error', 'InvalidPolicyVariable', '/Statement/0/Condition/StringLike/s3:prefix'],
    ]);
  });

  it('is not checked without Version 2012-10-17 (the text is literal there)', () => {
    expect(
      codes({ Statement: statement({ Resource: 'arn:aws:s3:::bucket/${aws:username' }) }),
    ).toEqual(['PolicyVariableTreatedAsLiteral']);
  });

  it('a Bool key takes one value', () => {
    expect(
      findings(
        policy(statement({ Condition: { Bool: { 'aws:SecureTransport': ['true', 'false'] } } })),
      ),
    ).toEqual([
      ['error', 'InvalidConditionValue', '/Statement/0/Condition/Bool/aws:SecureTransport'],
    ]);
  });
});

describe('validatePolicy: never throws', () => {
  it('for anything at all, with any options', () => {
    const cyclic: Doc = {};
    cyclic['Statement'] = cyclic;
    const inputs: unknown[] = [
      undefined,
      null,
      1,
      2n,
      Symbol('s'),
      () => 1,
      cyclic,
      new Map(),
      [],
      '',
      '{}',
    ];
    for (const input of inputs) {
      const result = validatePolicy(input as object, { kind: 'nonsense' as PolicyKind });
      expect(result.some((finding) => finding.severity === 'error')).toBe(true);
    }
    expect(() => validatePolicy(policy(statement()), null as unknown as undefined)).not.toThrow();
  });

  it('for arbitrary JSON (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.json()),
        fc.constantFrom<PolicyKind | undefined>(
          undefined,
          'identity',
          'resource',
          'trust',
          'session',
          'boundary',
        ),
        (input, kind) => {
          const result = validatePolicy(input as object, { kind });
          for (const finding of result) {
            expect(['error', 'warning']).toContain(finding.severity);
            expect(typeof finding.path).toBe('string');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
