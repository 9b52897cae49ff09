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
  | 'InvalidRequest';

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
