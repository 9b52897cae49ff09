/**
 * The admin routes' request parts, checked: the `{id}` path parameter, `If-Match` /
 * `If-None-Match`, the PUT body. All untrusted until they pass here; each failure names its field.
 */
import type { BindingWarning } from '@tessera/broker';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpInputError } from './errors.js';

/** A binding id, as the table keys it. */
export const BINDING_ID = /^[a-z0-9-]{1,64}$/;
/** One strong ETag of this API: a version in quotes. */
const ETAG = /^"([1-9][0-9]{0,14})"$/;
/** Set by the server: a PUT body must not carry them (the version goes in If-Match). */
const SERVER_FIELDS = ['id', 'version', 'updatedAt', 'updatedBy', 'roleMaxSessionDuration'];

/** The `iss` of a Cognito user pool's tokens. */
export function poolIssuer(userPoolId: string): string {
  return `https://cognito-idp.${userPoolId.split('_')[0]}.amazonaws.com/${userPoolId}`;
}

/** A binding's ETag: its version, quoted (a strong validator). */
export function etag(version: number): string {
  return `"${version}"`;
}

export function withHeaders(
  response: APIGatewayProxyStructuredResultV2,
  headers: Record<string, string>,
): APIGatewayProxyStructuredResultV2 {
  return { ...response, headers: { ...response.headers, ...headers } };
}

/** The `{id}` path parameter, checked. */
export function idParam(event: APIGatewayProxyEventV2): string {
  const id = event.pathParameters?.['id'];
  if (id === undefined || !BINDING_ID.test(id)) {
    throw new HttpInputError('InvalidRequest', 'id must be [a-z0-9-]{1,64}', 'id');
  }
  return id;
}

/** The version named by `If-Match`, or undefined when absent. */
export function ifMatchVersion(event: APIGatewayProxyEventV2): number | undefined {
  const raw = event.headers?.['if-match'];
  if (raw === undefined) return undefined;
  const match = ETAG.exec(raw.trim());
  if (!match) {
    throw new HttpInputError(
      'InvalidRequest',
      'If-Match must be one ETag of this API: "<version>"',
      'If-Match',
    );
  }
  return Number(match[1]);
}

/** The PUT body: a binding document without the server's fields. */
export function putBody(unverifiedBody: unknown): Record<string, unknown> {
  if (
    typeof unverifiedBody !== 'object' ||
    unverifiedBody === null ||
    Array.isArray(unverifiedBody)
  ) {
    throw new HttpInputError(
      'InvalidRequest',
      'the body must be a binding (a JSON object)',
      'body',
    );
  }
  const body = unverifiedBody as Record<string, unknown>;
  for (const field of SERVER_FIELDS) {
    if (Object.hasOwn(body, field)) {
      throw new HttpInputError(
        'InvalidRequest',
        `${field} is set by the server${field === 'version' ? '; send If-Match: "<version>"' : ''}`,
        field,
      );
    }
  }
  return body;
}

/** Validator warnings as the API answers them. */
export function warningsOf(warnings: readonly BindingWarning[]) {
  return warnings.map((w) => ({ code: w.code, path: w.field, message: w.message }));
}

/** `If-None-Match` on a PUT: only `*` (create), and never with `If-Match`. */
export function checkIfNoneMatch(event: APIGatewayProxyEventV2, ifMatch: number | undefined): void {
  const raw = event.headers?.['if-none-match'];
  if (raw !== undefined && (raw.trim() !== '*' || ifMatch !== undefined)) {
    throw new HttpInputError(
      'InvalidRequest',
      'If-None-Match may only be *, to create, and not with If-Match',
      'If-None-Match',
    );
  }
}
