/**
 * The AssumeRole parameters as the local STS receives them (form fields, `Tags.member.N.Key`
 * lists already collected), described once with zod: each constraint is STS's own (the API
 * reference's length and pattern limits), and a refusal is worded as STS words it:
 * `1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint:
 * Member must ...`. Every problem also carries the JSON Pointer of its parameter.
 */
import * as z from 'zod/mini';
import { type QueryInputProblem, queryInputProblems } from '../query.js';

export const MAX_TAGS = 50;
export const NAME = /^[\w+=,.@-]*$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]*$/;
export const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
export const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** AssumeRole's `Policy` pattern (API reference): tab, LF, CR and U+0020..U+00FF. */
const POLICY_TEXT = /^[\t\n\r\u0020-\u00FF]+$/;

const atLeast = (min: number) =>
  z.minLength(min, `Member must have length greater than or equal to ${min}`);
const atMost = (max: number) =>
  z.maxLength(max, `Member must have length less than or equal to ${max}`);
const pattern = (re: RegExp, shown: string) =>
  z.regex(re, `Member must satisfy regular expression pattern: ${shown}`);
const NAME_SHOWN = '[\\w+=,.@-]*';

const durationSeconds = z.string().check(
  z.regex(/^\d+$/, { error: 'Member must be an integer', abort: true }),
  z.refine((d) => Number(d) >= 900, 'Member must have value greater than or equal to 900'),
  z.refine((d) => Number(d) <= 43_200, 'Member must have value less than or equal to 43200'),
);

const tag = z.object({
  Key: z._default(
    z.string().check(
      z.refine((k) => k.length >= 1 && k.length <= 128, {
        error: 'Member must have length between 1 and 128',
        abort: true,
      }),
      pattern(TAG_KEY, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+'),
    ),
    '',
  ),
  Value: z._default(
    z.string().check(
      z.maxLength(256, {
        error: 'Member must have length less than or equal to 256',
        abort: true,
      }),
      pattern(TAG_VALUE, '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*'),
    ),
    '',
  ),
});

export const assumeRoleInputSchema = z.object({
  roleArn: z.string().check(atLeast(20), atMost(2048)),
  roleSessionName: z.string().check(atLeast(2), atMost(64), pattern(NAME, NAME_SHOWN)),
  durationSeconds: z.optional(durationSeconds),
  externalId: z.optional(
    z.string().check(atLeast(2), atMost(1224), pattern(EXTERNAL_ID, '[\\w+=,.@:\\/-]*')),
  ),
  policy: z.optional(
    z
      .string()
      .check(
        atLeast(1),
        atMost(2048),
        pattern(POLICY_TEXT, '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+'),
      ),
  ),
  policyArns: z.array(z.string()).check(atMost(10)),
  tags: z.array(tag).check(atMost(MAX_TAGS)),
  transitiveTagKeys: z.array(z.string()).check(atMost(MAX_TAGS)),
  sourceIdentity: z.optional(z.string().check(atLeast(2), atMost(64), pattern(NAME, NAME_SHOWN))),
});

type Received = z.input<typeof assumeRoleInputSchema>;
/** The AssumeRole parameters as received (derived from the schema; required ones may be absent). */
export type AssumeRoleInput = Omit<Received, 'roleArn' | 'roleSessionName'> & {
  readonly roleArn: string | undefined;
  readonly roleSessionName: string | undefined;
};

/** STS's member name: `tags.1.member.key` for the first tag's Key. */
function memberOf(path: readonly PropertyKey[]): string {
  const [head, index, field] = path;
  if (head === 'tags' && typeof index === 'number') {
    return `tags.${index + 1}.member${field === undefined ? '' : `.${String(field).toLowerCase()}`}`;
  }
  return path.map(String).join('.');
}

/** Every problem of the parameters, each with its pointer and STS's wording. */
export function assumeRoleInputProblems(input: AssumeRoleInput): QueryInputProblem[] {
  return queryInputProblems(assumeRoleInputSchema, input, memberOf);
}
