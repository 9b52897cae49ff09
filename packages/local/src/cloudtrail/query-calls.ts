/**
 * What CloudTrail records of the local STS and IAM calls (Query protocol): the request parameters
 * in CloudTrail's camelCase, the response elements it keeps (for AssumeRole the new session's key
 * id and expiry, never its secret or token), the role as the resource.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '../sts/sessions.js';
import type { ServedCall, TrailResource } from './record.js';

export type QueryService = 'sts' | 'iam';

export interface QueryCallOutcome {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  readonly caller: Caller | undefined;
  readonly requestId: string;
  readonly time: Date;
  readonly region: string;
  readonly sourceIp: string;
  readonly response?: Readonly<Record<string, unknown>> | undefined;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

const READ_ONLY = new Set(['GetCallerIdentity', 'GetRole', 'ListRolePolicies', 'GetRolePolicy']);
const CREDENTIAL = /Credential=([A-Z0-9]{16,128})\//;

/** The access key id a request names (its signature may not have verified). */
export function claimedAccessKeyId(req: IncomingMessage, query: string): string | undefined {
  const header = String(req.headers.authorization ?? '');
  const fromHeader = CREDENTIAL.exec(header)?.[1];
  if (fromHeader) return fromHeader;
  const credential = new URLSearchParams(query).get('X-Amz-Credential') ?? '';
  return /^[A-Z0-9]{16,128}$/.test(credential.split('/')[0] ?? '')
    ? credential.split('/')[0]
    : undefined;
}

const lowerFirst = (name: string) => `${name.charAt(0).toLowerCase()}${name.slice(1)}`;

/** Query parameters as CloudTrail shows them: camelCase, without Action/Version/signing ones. */
function requestParameters(params: Readonly<Record<string, string>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'Action' || key === 'Version' || key.startsWith('X-Amz-')) continue;
    out[lowerFirst(key)] = /^\d+$/.test(value) && key === 'DurationSeconds' ? Number(value) : value;
  }
  return out;
}

function resourcesOf(outcome: QueryCallOutcome): TrailResource[] {
  const account = outcome.caller?.account;
  if (outcome.action === 'AssumeRole' && outcome.params.RoleArn) {
    const roleAccount = outcome.params.RoleArn.split(':')[4];
    return [{ type: 'AWS::IAM::Role', arn: outcome.params.RoleArn, accountId: roleAccount }];
  }
  if (outcome.action === 'GetRole' && outcome.params.RoleName && account) {
    return [
      {
        type: 'AWS::IAM::Role',
        arn: `arn:aws:iam::${account}:role/${outcome.params.RoleName}`,
        accountId: account,
      },
    ];
  }
  return [];
}

/** The served call to record for one STS or IAM request. */
export function queryCall(
  service: QueryService,
  outcome: QueryCallOutcome,
  req: IncomingMessage,
  query: string,
): ServedCall {
  return {
    eventSource: `${service}.amazonaws.com`,
    eventName: outcome.action || 'Unknown',
    region: service === 'iam' ? 'us-east-1' : outcome.region,
    time: outcome.time,
    caller: outcome.caller,
    claimedAccessKeyId: outcome.caller ? undefined : claimedAccessKeyId(req, query),
    sourceIp: outcome.sourceIp,
    userAgent: String(req.headers['user-agent'] ?? ''),
    requestId: outcome.requestId,
    requestParameters:
      outcome.action === 'GetCallerIdentity' ? null : requestParameters(outcome.params),
    responseElements: outcome.response ?? null,
    error: outcome.error,
    readOnly: READ_ONLY.has(outcome.action),
    resources: resourcesOf(outcome),
    category: 'Management',
    recipientAccountId: outcome.caller?.account ?? '',
  };
}
