/**
 * A binding write (PUT /v1/admin/bindings/{id}, `tessera bindings apply`) as sent: the binding
 * document exactly as GET answers it may be sent back. The server-managed fields in it are
 * ignored when they equal what is stored and refused — each with its pointer, together with
 * every other problem of the write — only when they differ.
 */

import { canonicalJson } from '../permission-snapshot.js';
import { type Binding, type BindingIssueCode, checkBinding, inFieldOrder } from './binding.js';
import type { SchemaProblem, SchemaResult } from './problems.js';

/** Set by the server: a write may carry them only unchanged. */
export const SERVER_FIELDS = [
  'id',
  'version',
  'updatedAt',
  'updatedBy',
  'roleMaxSessionDuration',
  'roleDescription',
  'permissionPolicies',
] as const;
type ServerField = (typeof SERVER_FIELDS)[number];

export interface BindingWriteTarget {
  /** The id the write is addressed to (the path's `{id}`). */
  readonly id: string;
  /** The issuer the write is addressed to (the body's, else the request's). */
  readonly issuer: unknown;
  /** What is stored now under (issuer, id), if anything. */
  readonly stored: Binding | undefined;
  /** The issuers of the pools this broker trusts; a write for another is refused. */
  readonly issuers: ReadonlySet<string>;
  /**
   * The version the write replaces, when the writer named one (`If-Match: "<n>"`). If it is not
   * what is stored, the copy is stale: its server-managed fields are not compared (they are
   * dropped) and the conditional write refuses it as a conflict (412), as for any stale write.
   */
  readonly expectedVersion?: number;
}

/** The document to write: the sent one without its server-managed fields, addressed. */
export type BindingWriteDocument = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** GET answers `{binding}`: that whole answer may be sent back as well as the binding. */
export function sentBinding(raw: unknown): unknown {
  if (!isPlainObject(raw)) return raw;
  const keys = Object.keys(raw);
  const inner = raw['binding'];
  return keys.length === 1 && keys[0] === 'binding' && isPlainObject(inner) ? inner : raw;
}

function serverValue(field: ServerField, target: BindingWriteTarget): unknown {
  return field === 'id' ? target.id : target.stored?.[field];
}

/** Server-managed fields that differ from what is stored (or are sent when nothing is). */
function changedServerFields(
  body: Record<string, unknown>,
  target: BindingWriteTarget,
): SchemaProblem<BindingIssueCode>[] {
  const stale =
    target.expectedVersion !== undefined && target.expectedVersion !== target.stored?.version;
  return SERVER_FIELDS.filter((field) => !stale || field === 'id')
    .filter(
      (field) =>
        Object.hasOwn(body, field) &&
        canonicalJson(body[field]) !== canonicalJson(serverValue(field, target)),
    )
    .map((field) => {
      const expected = serverValue(field, target);
      const hint =
        expected === undefined
          ? 'nothing is stored: leave it out'
          : `send it unchanged (${JSON.stringify(expected)}) or leave it out`;
      return {
        code: 'ServerFieldChanged',
        pointer: `/${field}`,
        message: `${field} is set by the server; ${hint}${field === 'version' ? '; the version replaced goes in If-Match' : ''}`,
      };
    });
}

function issuerProblems(target: BindingWriteTarget): SchemaProblem<BindingIssueCode>[] {
  if (typeof target.issuer === 'string' && target.issuers.has(target.issuer)) return [];
  return [
    {
      code: 'IssuerNotConfigured',
      pointer: '/issuer',
      message: 'issuer must be the issuer URL of a user pool this broker trusts',
    },
  ];
}

/**
 * Check a write: the server-managed fields against what is stored, the issuer against the
 * trusted pools, and the document against the binding schema — all problems in one answer. The
 * value is the document to hand to the binding admin (server fields dropped, id and issuer set).
 */
export function parseBindingWrite(
  raw: unknown,
  target: BindingWriteTarget,
): SchemaResult<BindingWriteDocument, BindingIssueCode> {
  const body = sentBinding(raw);
  if (!isPlainObject(body)) {
    return {
      ok: false,
      problems: [
        { code: 'NotAnObject', pointer: '', message: 'the body must be a binding (a JSON object)' },
      ],
    };
  }
  const document: Record<string, unknown> = { ...body, id: target.id, issuer: target.issuer };
  for (const field of SERVER_FIELDS) if (field !== 'id') delete document[field];
  // The schema needs the server's values to check the rest; they are stamped at the write.
  const checked = checkBinding({ ...document, roleMaxSessionDuration: 3600 });
  const issuer = issuerProblems(target);
  const documentProblems = checked.ok ? [] : checked.problems;
  const problems = [
    ...changedServerFields(body, target),
    ...issuer,
    // An untrusted issuer is one problem, not also a malformed one.
    ...documentProblems.filter((p) => issuer.length === 0 || p.pointer !== '/issuer'),
  ];
  if (problems.length > 0) return { ok: false, problems: inFieldOrder(problems) };
  return { ok: true, value: document };
}
