import { describe, expect, it } from 'vitest';
import { validationMessage } from '../src/query.js';
import { type AssumeRoleInput, assumeRoleInputProblems } from '../src/sts/input.js';

const valid: AssumeRoleInput = {
  roleArn: 'arn:aws:iam::111111111111:role/app-upload',
  roleSessionName: 'alice',
  policyArns: [],
  tags: [],
  transitiveTagKeys: [],
};

describe('AssumeRole input schema', () => {
  it('accepts valid parameters', () => {
    expect(assumeRoleInputProblems(valid)).toEqual([]);
  });

  it("names each problem by JSON Pointer, in STS's member names and wording", () => {
    const problems = assumeRoleInputProblems({
      ...valid,
      durationSeconds: '1.5',
      tags: [
        { Key: 'ok', Value: 'v' },
        { Key: 'bad key!', Value: 'x'.repeat(257) },
      ],
    });
    expect(problems.map((p) => [p.pointer, p.code])).toEqual([
      ['/durationSeconds', 'ConstraintViolated'],
      ['/tags/1/Key', 'ConstraintViolated'],
      ['/tags/1/Value', 'ConstraintViolated'],
    ]);
    expect(validationMessage(problems)).toBe(
      "3 validation errors detected: Value '1.5' at 'durationSeconds' failed to satisfy constraint: Member must be an integer; " +
        "Value 'bad key!' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+; " +
        `Value '${'x'.repeat(257)}' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
  });

  it('names missing parameters on their own, as STS does', () => {
    const problems = assumeRoleInputProblems({
      ...valid,
      roleArn: undefined,
      roleSessionName: undefined,
      durationSeconds: '60',
    });
    expect(validationMessage(problems)).toBe(
      "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
    );
  });

  it('counts list members as STS does', () => {
    const many = Array.from({ length: 51 }, (_, i) => `k${i}`);
    const [problem] = assumeRoleInputProblems({ ...valid, transitiveTagKeys: many });
    expect(problem).toMatchObject({
      pointer: '/transitiveTagKeys',
      message:
        "Value '[51 keys]' at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to 50",
    });
  });
});
