/**
 * A simulate answer in plain words (pure: no DOM). A refusal lists each failing condition by what
 * it checks and how; the expected values appear only when the server chose to send them.
 */
import type { SimulateAnswer, SimulationReason } from '@tessera/client';
import { duration } from './dom.js';

/** What a condition key is about, for a person. */
const KEYS: Readonly<Record<string, string>> = {
  'token:cognito:groups': 'your groups',
  'token:cognito:username': 'your username',
  'token:client_id': 'the app you signed in with',
  'token:aud': 'the app you signed in with',
  'token:email': 'your email address',
  'token:email_verified': 'whether your email address is verified',
  'token:sub': 'your user id',
  'token:iss': 'the user pool you signed in to',
  'aws:SourceIp': 'the network address you connect from',
  'aws:CurrentTime': 'the current time',
  'aws:EpochTime': 'the current time',
  'aws:SecureTransport': 'whether the connection is encrypted',
  'tessera:RequestedDuration': 'the session length you asked for',
};

export function keyInWords(key: string): string {
  return KEYS[key] ?? (key.startsWith('token:') ? `the "${key.slice(6)}" of your sign-in` : key);
}

function operatorInWords(operator: string): string {
  const base = operator.replace(/^(ForAnyValue|ForAllValues):/, '').replace(/IfExists$/, '');
  const words: Record<string, string> = {
    StringEquals: 'be one of the allowed values',
    StringLike: 'match an allowed pattern',
    StringNotEquals: 'differ from the refused values',
    StringNotLike: 'not match the refused patterns',
    IpAddress: 'be in an allowed network',
    NotIpAddress: 'be outside the refused networks',
    DateLessThan: 'be before a date',
    DateGreaterThan: 'be after a date',
    NumericLessThanEquals: 'be at most a limit',
    Bool: 'be true or false as required',
    Null: 'be present (or absent) as required',
  };
  return words[base] ?? `satisfy ${operator}`;
}

export function reasonInWords(reason: SimulationReason): string {
  const detail = reason.detail ? ` (${reason.detail})` : '';
  switch (reason.code) {
    case 'ConditionNotMet':
      return reason.key
        ? `The role requires ${keyInWords(reason.key)} to ${operatorInWords(reason.operator ?? '')} [${reason.key}, ${reason.operator ?? 'condition'}]${detail}.`
        : `A condition of the role's trust policy is not met${detail}.`;
    case 'RoleNotPermitted':
      return 'No role by this name can be used by you: it does not exist, is disabled, or is not offered to your user pool.';
    case 'NoStatementAllows':
    case 'ImplicitDeny':
      return `No statement of the role's trust policy lets you in${detail}.`;
    case 'ExplicitDeny':
      return `A statement of the role's trust policy refuses you explicitly${detail}.`;
    case 'ClaimMissing':
      return `Your sign-in lacks a value the role needs${reason.key ? ` (${keyInWords(reason.key)})` : ''}${detail}.`;
    case 'ClaimUnsafe':
      return `A value of your sign-in cannot be used safely in this role's session${detail}.`;
    default:
      return `Refused: ${reason.code}${detail}.`;
  }
}

export interface Explanation {
  readonly allowed: boolean;
  readonly headline: string;
  readonly lines: readonly string[];
}

export function explain(role: string, answer: SimulateAnswer): Explanation {
  if (answer.decision === 'allow') {
    const lines = [
      answer.durationSeconds !== undefined
        ? `Session length: ${duration(answer.durationSeconds)}${answer.clampedBy && answer.clampedBy !== 'none' ? ` (limited by ${answer.clampedBy})` : ''}.`
        : '',
      answer.sourceIdentity ? `Your actions will be recorded as "${answer.sourceIdentity}".` : '',
    ].filter(Boolean);
    return { allowed: true, headline: `You may use ${role}.`, lines };
  }
  const lines = answer.reasons.map(reasonInWords);
  return {
    allowed: false,
    headline: `You may not use ${role}.`,
    lines: lines.length > 0 ? lines : ['The role refuses you, without a detailed reason.'],
  };
}
