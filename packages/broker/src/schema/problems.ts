/**
 * What every schema answers: a value, or every problem found — each with a stable code and the
 * JSON Pointer (RFC 6901) of what is wrong — never a throw. Zod's issues are translated here, in
 * one place, into Tessera's codes: the schemas say *what* an input is, this file says how a
 * failure is named.
 */
import { type core, safeParse } from 'zod/mini';

/**
 * One problem of an input: `pointer` is a JSON Pointer into it (`''` is the whole input); the
 * message says what is wrong there, without repeating the pointer.
 */
export interface SchemaProblem<Code extends string = string> {
  readonly code: Code;
  readonly pointer: string;
  readonly message: string;
}

export type SchemaResult<T, Code extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly SchemaProblem<Code>[] };

/** The codes any schema may answer, whatever the input. */
export type SchemaProblemCode =
  | 'Required'
  | 'NotAnObject'
  | 'NotAnArray'
  | 'NotAString'
  | 'NotABoolean'
  | 'NotANumber'
  | 'NotAnInteger'
  | 'UnknownField'
  | 'InvalidFormat'
  | 'InvalidValue'
  | 'OutOfRange'
  | 'TooLong'
  | 'TooShort'
  | 'TooMany'
  | 'TooFew';

/** `['a', 'b/c', 0]` -> `/a/b~1c/0` (RFC 6901 escaping). */
export function pointerOf(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}

/** Prefix every problem's pointer (a sub-document checked on its own, e.g. a policy). */
export function under<Code extends string>(
  prefix: string,
  problems: readonly SchemaProblem<Code>[],
): SchemaProblem<Code>[] {
  return problems.map((p) => ({ ...p, pointer: `${prefix}${p.pointer}` }));
}

/** A custom check's issue: its `params.code` becomes the problem's code. */
export function coded<Code extends string>(code: Code, message: string) {
  return { error: message, params: { code } };
}

const TYPE_CODES: Readonly<Record<string, SchemaProblemCode>> = {
  string: 'NotAString',
  object: 'NotAnObject',
  record: 'NotAnObject',
  array: 'NotAnArray',
  boolean: 'NotABoolean',
  number: 'NotANumber',
  int: 'NotAnInteger',
};

const WHAT: Readonly<Record<string, string>> = {
  NotAString: 'must be a string',
  NotAnObject: 'must be a JSON object',
  NotAnArray: 'must be an array',
  NotABoolean: 'must be true or false',
  NotANumber: 'must be a number',
  NotAnInteger: 'must be an integer',
  InvalidFormat: 'is not in the expected format',
  InvalidValue: 'is not one of the allowed values',
};

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment as string];
  }
  return value;
}

function sizeCode(issue: core.$ZodIssueTooBig | core.$ZodIssueTooSmall): SchemaProblemCode {
  const big = issue.code === 'too_big';
  if (issue.origin === 'number' || issue.origin === 'int' || issue.origin === 'bigint') {
    return 'OutOfRange';
  }
  if (issue.origin === 'string') return big ? 'TooLong' : 'TooShort';
  return big ? 'TooMany' : 'TooFew';
}

/** Our code for one zod issue; `raw` tells a missing member from a wrong one. */
function codeOf(issue: core.$ZodIssue, raw: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(raw, issue.path) === undefined) return 'Required';
      return TYPE_CODES[issue.expected] ?? 'InvalidValue';
    case 'too_big':
    case 'too_small':
      return sizeCode(issue);
    case 'invalid_format':
    case 'not_multiple_of':
      return 'InvalidFormat';
    case 'unrecognized_keys':
      return 'UnknownField';
    case 'custom':
      return String(issue.params?.['code'] ?? 'InvalidValue');
    default:
      return 'InvalidValue';
  }
}

/** The message of a problem: what is wrong, without the pointer (answered beside it). */
function messageOf(issue: core.$ZodIssue, code: string): string {
  // Zod's own wording is generic ("Invalid input"): word the common cases ourselves.
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  if (code === 'Required') return 'is required';
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const bound =
      issue.code === 'too_big' ? `at most ${issue.maximum}` : `at least ${issue.minimum}`;
    const unit =
      issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
    return `must be ${bound}${unit}`;
  }
  return WHAT[code] ?? 'is invalid';
}

/** Zod's issues as problems: one per issue, one per unknown key, in document order. */
export function problemsFrom(
  issues: readonly core.$ZodIssue[],
  raw: unknown,
): SchemaProblem<string>[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const pointer = pointerOf([...issue.path, key]);
        return { code: 'UnknownField', pointer, message: 'is not a known field' };
      });
    }
    const code = codeOf(issue, raw);
    const pointer = pointerOf(issue.path);
    return [{ code, pointer, message: messageOf(issue, code) }];
  });
}

/** Run a zod schema as a `SchemaResult`. */
export function parseWith<S extends core.$ZodType>(
  schema: S,
  raw: unknown,
): SchemaResult<core.output<S>> {
  const result = safeParse(schema, raw);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFrom(result.error.issues, raw) };
}
