/**
 * Every failure as an `application/problem+json` answer (RFC 9457) with a stable `code`, read from
 * the one code table (`@tessera/broker` codes.ts): its status, whether this audience may see the
 * code (else its stand-in: `RoleNotPermitted`, `ServiceUnavailable`), and the caller's message.
 * Anything thrown that carries no code of the table is a 500 `InternalError`. 5xx answers carry no
 * internals (the log has them); a deny names its code, not the policy.
 */
import {
  type Audience,
  answerFor,
  BindingError,
  CODES,
  type Code,
  type FieldIssue,
  isCode,
  RevocationError,
} from '@tessera/broker';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpInputError, type InputIssue, type InputLocation } from './errors.js';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /**
   * What is wrong: a JSON Pointer into the request body (`/durationSeconds`, `''` for the whole
   * body), or — when `in` says so — the name of the header, path or query parameter.
   */
  readonly field?: string;
  /** Set when `field` names a header or a path/query parameter rather than a body pointer. */
  readonly in?: 'header' | 'path' | 'query';
  /** Every problem of the input (`BindingInvalid`, `InvalidRequest`), each with its pointer. */
  readonly issues?: readonly (FieldIssue | InputIssue)[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  405: 'Method Not Allowed',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** What an error says about itself, when it carries a code of the table. */
interface Coded {
  readonly code: Code;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly location: InputLocation;
  readonly issues: readonly (FieldIssue | InputIssue)[] | undefined;
}

/** Every problem an input error lists (a binding's, a request body's), each with its pointer. */
function issuesOf(err: unknown): readonly (FieldIssue | InputIssue)[] | undefined {
  if (err instanceof BindingError || err instanceof HttpInputError) return err.issues;
  if (err instanceof RevocationError) return err.issues;
  return undefined;
}

/** The code an error carries (by its `code` property, never its message), else `InternalError`. */
export function codedOf(err: unknown): Coded {
  const e = (err instanceof Error ? err : {}) as {
    code?: unknown;
    field?: unknown;
    retryAfterSeconds?: unknown;
  };
  const code = isCode(e.code) && CODES[e.code].status >= 400 ? e.code : 'InternalError';
  return {
    code,
    field: code !== 'InternalError' && typeof e.field === 'string' ? e.field : undefined,
    retryAfterSeconds: typeof e.retryAfterSeconds === 'number' ? e.retryAfterSeconds : undefined,
    location: err instanceof HttpInputError ? err.location : 'body',
    issues: issuesOf(err),
  };
}

/** Statuses whose answer names the field at fault. */
const NAMES_FIELD = new Set([400, 412, 413, 415, 422, 428]);

/** Codes whose answer lists every problem of the input, not only the first. */
const LISTS_ISSUES: ReadonlySet<Code> = new Set<Code>([
  'BindingInvalid',
  'InvalidRequest',
  'RevocationPolicyTooLarge',
]);

/** The problem answered for an error, and extra headers. */
export function problemFor(
  err: unknown,
  audience: Audience = 'caller',
): { problem: Problem; headers: Record<string, string> } {
  const coded = codedOf(err);
  const answer = answerFor(coded.code, audience);
  const own = answer.code === coded.code;
  const field = own && NAMES_FIELD.has(answer.status) ? coded.field : undefined;
  const issues = own && LISTS_ISSUES.has(answer.code) ? coded.issues : undefined;
  const problem: Problem = {
    type: `urn:tessera:problem:${answer.code}`,
    title: TITLES[answer.status] ?? 'Error',
    status: answer.status,
    code: answer.code,
    detail: answer.message,
    ...(field === undefined ? {} : { field }),
    ...(field === undefined || coded.location === 'body' ? {} : { in: coded.location }),
    ...(issues === undefined || issues.length === 0 ? {} : { issues }),
  };
  const headers: Record<string, string> = {};
  if (answer.status === 401) headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  if (own && err instanceof HttpInputError && err.allow.length > 0) {
    headers['Allow'] = err.allow.join(', ');
  }
  if (answer.retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(coded.retryAfterSeconds ?? answer.retryAfterSeconds);
  }
  return { problem, headers };
}

export function problemResponse(
  err: unknown,
  audience: Audience = 'caller',
): APIGatewayProxyStructuredResultV2 {
  const { problem, headers } = problemFor(err, audience);
  return {
    statusCode: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(problem),
  };
}
