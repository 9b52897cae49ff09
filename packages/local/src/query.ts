/**
 * The AWS Query protocol as STS and IAM speak it: form parameters in, XML out, errors as
 * `<ErrorResponse>` with Type/Code/Message and a RequestId.
 */
import type { ServerResponse } from 'node:http';
import { pointerOf, type SchemaProblem } from '@tessera/broker';
import * as z from 'zod/mini';
import { sendText } from './http.js';

export const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
  }
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/**
 * `{a: 'x', b: {c: 'y'}}` → `<a>x</a><b><c>y</c></b>`; arrays are `<member>` lists (as the Query
 * protocol writes them); undefined members are left out.
 */
export type XmlNode =
  | string
  | number
  | boolean
  | undefined
  | readonly XmlNode[]
  | { readonly [k: string]: XmlNode };

export function toXml(node: XmlNode): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return xmlEscape(node);
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map((m) => `<member>${toXml(m)}</member>`).join('');
  return Object.entries(node)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
    .join('');
}

export function sendQueryResult(
  res: ServerResponse,
  ns: string,
  action: string,
  result: XmlNode,
  requestId: string,
): void {
  const body = `<${action}Response xmlns="${ns}">\n  <${action}Result>${toXml(result)}</${action}Result>\n  <ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>\n</${action}Response>\n`;
  sendText(res, 200, 'text/xml', body, { 'x-amzn-requestid': requestId });
}

export function sendQueryError(
  res: ServerResponse,
  ns: string,
  err: QueryError,
  requestId: string,
): void {
  const body = `<ErrorResponse xmlns="${ns}">\n  <Error>\n    <Type>${err.type}</Type>\n    <Code>${xmlEscape(err.code)}</Code>\n    <Message>${xmlEscape(err.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`;
  sendText(res, err.status, 'text/xml', body, { 'x-amzn-requestid': requestId });
}

/** `Tags.member.1.Key` style lists → arrays of member records, in index order. */
export function members(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const out = new Map<number, Record<string, string>>();
  const head = `${prefix}.member.`;
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(head)) continue;
    const rest = k.slice(head.length);
    const dot = rest.indexOf('.');
    const index = Number(dot === -1 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 1) continue;
    const field = dot === -1 ? '' : rest.slice(dot + 1);
    const rec = out.get(index) ?? Object.create(null);
    rec[field] = v;
    out.set(index, rec);
  }
  return [...out.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The codes of a Query input problem (STS and IAM answer them all as `ValidationError`). */
export type QueryInputCode = 'MissingParameter' | 'ConstraintViolated';
export type QueryInputProblem = SchemaProblem<QueryInputCode>;

const NOUNS: Readonly<Record<string, string>> = {
  tags: 'tags',
  transitiveTagKeys: 'keys',
  policyArns: 'arns',
};

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const segment of path) {
    value = (value as Record<PropertyKey, unknown> | undefined)?.[segment as string];
  }
  return value;
}

function shown(path: readonly PropertyKey[], value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} ${NOUNS[String(path[0])] ?? 'items'}]`;
  return String(value);
}

/**
 * A Query action's parameters checked against their schema, each problem with its JSON Pointer
 * and the service's wording: `Value 'x' at 'member' failed to satisfy constraint: <rule>` (the
 * rule is the schema check's message). Missing parameters are named on their own, as AWS does.
 */
export function queryInputProblems(
  schema: z.core.$ZodType,
  input: unknown,
  memberOf: (path: readonly PropertyKey[]) => string = (path) => path.map(String).join('.'),
): QueryInputProblem[] {
  const result = z.safeParse(schema, input);
  if (result.success) return [];
  const problems = result.error.issues.map((issue): QueryInputProblem => {
    const member = memberOf(issue.path);
    const value = valueAt(input, issue.path);
    const pointer = pointerOf(issue.path);
    return value === undefined
      ? {
          code: 'MissingParameter',
          pointer,
          message: `Value null at '${member}' failed to satisfy constraint: Member must not be null`,
        }
      : {
          code: 'ConstraintViolated',
          pointer,
          message: `Value '${shown(issue.path, value)}' at '${member}' failed to satisfy constraint: ${issue.message}`,
        };
  });
  const missing = problems.filter((p) => p.code === 'MissingParameter');
  return missing.length > 0 ? missing : problems;
}

/** The service's one-line summary: `N validation error(s) detected: ...`. */
export function validationMessage(problems: readonly QueryInputProblem[]): string {
  const n = problems.length;
  return `${n} validation error${n > 1 ? 's' : ''} detected: ${problems.map((p) => p.message).join('; ')}`;
}
