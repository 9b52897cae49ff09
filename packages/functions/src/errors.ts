/**
 * The functions' own errors: configuration (loud, at init) and HTTP input problems found before
 * the broker is called. Broker errors (token, binding, trust, scope, STS, store) come from
 * `@tessera/broker`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ConfigInvalid' as const;
  /** Every problem found, each naming its environment variable. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export type HttpInputErrorCode =
  | 'InvalidJson'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'InvalidRequest'
  /** A write that must be conditional came without `If-Match` (428). */
  | 'PreconditionRequired'
  /** No route for the event's `routeKey` in this function (404). */
  | 'RouteNotFound';

export class HttpInputError extends Error {
  override readonly name = 'HttpInputError';
  readonly code: HttpInputErrorCode;
  readonly field: string | undefined;
  constructor(code: HttpInputErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** A verified caller who is not in the administrators' group (403). Codes are stable. */
export class AdminRequiredError extends Error {
  override readonly name = 'AdminRequiredError';
  readonly code = 'AdminRequired' as const;
  constructor() {
    super('this route is for administrators');
  }
}
