import { describe, expect, it } from 'vitest';
import { explain, reasonInWords } from '../src/explain.js';

describe('explain: a simulate answer in plain words', () => {
  it('a refusal names what each failing condition checks and how, by key and operator', () => {
    const e = explain('partner-audit', {
      decision: 'deny',
      reasons: [
        {
          code: 'ConditionNotMet',
          key: 'token:cognito:groups',
          operator: 'ForAnyValue:StringEquals',
        },
      ],
    });
    expect(e.allowed).toBe(false);
    expect(e.headline).toBe('You may not use partner-audit.');
    expect(e.lines).toEqual([
      'The role requires your groups to be one of the allowed values [token:cognito:groups, ForAnyValue:StringEquals].',
    ]);
  });

  it('adds the expected values only when the server sent them', () => {
    const line = reasonInWords({
      code: 'ConditionNotMet',
      key: 'aws:SourceIp',
      operator: 'IpAddress',
      detail: 'expected 10.0.0.0/8',
    });
    expect(line).toContain('the network address you connect from');
    expect(line).toContain('(expected 10.0.0.0/8)');
  });

  it('an allow states the session length and its clamp', () => {
    const e = explain('eng-readonly', {
      decision: 'allow',
      durationSeconds: 3600,
      clampedBy: 'role-chaining',
      sourceIdentity: 'erin',
      reasons: [],
    });
    expect(e).toEqual({
      allowed: true,
      headline: 'You may use eng-readonly.',
      lines: [
        'Session length: 1 h (limited by role-chaining).',
        'Your actions will be recorded as "erin".',
      ],
    });
  });

  it('an unknown code is named, never dropped', () => {
    expect(reasonInWords({ code: 'SomethingNew' })).toBe('Refused: SomethingNew.');
  });
});
