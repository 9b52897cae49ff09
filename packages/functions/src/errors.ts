/**
 * The functions' own errors: configuration (loud, at init), HTTP input problems found before the
 * broker is called, and a broker outcome that is not a grant, thrown into the middy error path.
 * Every one carries a code of the one code table (`@tessera/broker` codes.ts); problem.ts answers
 * from that table.
 */
import type { Code, Deny, Failure, Outcome, SchemaProblemCode, Stage } from '@tessera/broker';

/** A configuration problem's code: a schema code, or `ConfigInvalid` for a failure at init. */
export type ConfigProblemCode = SchemaProblemCode | 'InvalidJson' | 'ConfigInvalid';

/** One configuration problem: `pointer` starts with the variable (`/TESSERA_POOLS/0/clientIds`). */
export interface ConfigProblem {
  readonly code: ConfigProblemCode;
  readonly pointer: string;
  readonly message: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ConfigInvalid' as const;
  /** Every problem found, each with the JSON Pointer of its environment variable (and inside it). */
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration: ${problems.map((p) => `${p.pointer || '/'}: ${p.message}`).join('; ')}`,
    );
    this.problems = problems;
  }
}

export type HttpInputErrorCode = Extract<
  Code,
  | 'InvalidJson'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'InvalidRequest'
  /** A write that must be conditional came without `If-Match` (428). */
  | 'PreconditionRequired'
  /** No route for the event's `routeKey` in this function (404). */
  | 'RouteNotFound'
  /** A route's path with a method it does not take (405, with `Allow`). */
  | 'MethodNotAllowed'
>;

/** Where a request problem is: the JSON body (`field` is a JSON Pointer), or a named part. */
export type InputLocation = 'body' | 'header' | 'path' | 'query';

/** One problem of a request body: its code and JSON Pointer. */
export interface InputIssue {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export class HttpInputError extends Error {
  override readonly name = 'HttpInputError';
  readonly code: HttpInputErrorCode;
  /** A JSON Pointer into the body (`''`: the whole body), or the header / parameter name. */
  readonly field: string | undefined;
  readonly location: InputLocation;
  /** Every problem of the body, when there are several (the first is `field`). */
  readonly issues: readonly InputIssue[];
  /** `MethodNotAllowed`: the methods the path takes (the `Allow` header). */
  readonly allow: readonly string[];
  constructor(
    code: HttpInputErrorCode,
    message: string,
    field?: string,
    options: {
      location?: InputLocation;
      issues?: readonly InputIssue[];
      allow?: readonly string[];
    } = {},
  ) {
    super(message);
    this.code = code;
    this.field = field;
    this.location = options.location ?? 'body';
    this.issues = options.issues ?? [];
    this.allow = options.allow ?? [];
  }
}

/** A body's schema problems as one 400 `InvalidRequest`, naming each with its pointer. */
export function invalidBody(
  problems: readonly { code: string; pointer: string; message: string }[],
): HttpInputError {
  const issues = problems.map((p) => ({ field: p.pointer, code: p.code, message: p.message }));
  const first = issues[0];
  return new HttpInputError(
    'InvalidRequest',
    first ? `${first.field || 'the body'}: ${first.message}` : 'the body is invalid',
    first?.field ?? '',
    {
      issues,
    },
  );
}

/** A verified caller who is not in the administrators' group (403). Codes are stable. */
export class AdminRequiredError extends Error {
  override readonly name = 'AdminRequiredError';
  readonly code = 'AdminRequired' as const;
  constructor() {
    super('this route is for administrators');
  }
}

/** A broker outcome that is not a grant: its stage, code and field, into the error path. */
export class OutcomeError extends Error {
  override readonly name = 'OutcomeError';
  readonly code: Code;
  readonly stage: Stage;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  constructor(outcome: Deny | Failure) {
    super(
      `${outcome.kind} at ${outcome.stage}: ${outcome.code}`,
      outcome.kind === 'failure' ? { cause: outcome.cause } : undefined,
    );
    this.code = outcome.code;
    this.stage = outcome.stage;
    this.field = outcome.kind === 'deny' ? outcome.field : undefined;
    this.retryAfterSeconds = outcome.retryAfterSeconds;
  }
}

/** Errors answered after their audit event was stored by someone else than the HTTP layer. */
const recordedErrors = new WeakSet<object>();

/**
 * Marks an error whose event is already stored (the admin write trail, admin-audit.ts), so the
 * HTTP layer does not record it a second time. Returns it, to be thrown.
 */
export function alreadyRecorded<E extends object>(err: E): E {
  recordedErrors.add(err);
  return err;
}

/**
 * Whether an error's event is already stored: a broker outcome (its exit decides what it records:
 * a caller's own dry run is not a decision), or one marked `alreadyRecorded`.
 */
export function isRecorded(err: unknown): boolean {
  return (
    err instanceof OutcomeError ||
    (typeof err === 'object' && err !== null && recordedErrors.has(err))
  );
}

/** A grant's value; a Deny or Failure thrown as an OutcomeError (answered by problem.ts). */
export function granted<T>(outcome: Outcome<T>): T {
  if (outcome.kind === 'grant') return outcome.value;
  throw new OutcomeError(outcome);
}

/** An audit event id the audit log does not hold (or no longer: TTL) (404). */
export class AuditEventNotFoundError extends Error {
  override readonly name = 'AuditEventNotFoundError';
  readonly code = 'AuditEventNotFound' as const;
  constructor() {
    super('no such audit event');
  }
}
