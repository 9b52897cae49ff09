/**
 * The admin routes' request parts, checked: the `{id}` path parameter, `If-Match` /
 * `If-None-Match`. All untrusted until they pass here; each failure names its header or
 * parameter (the PUT body is checked by the broker's `parseBindingWrite`).
 */
import { BINDING_ID, type BindingWarning } from '@tessera/broker';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpInputError } from './errors.js';

/** One strong ETag of this API: a version in quotes. */
const ETAG = /^"([1-9][0-9]{0,14})"$/;

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
    throw new HttpInputError('InvalidRequest', 'id must be [a-z0-9-]{1,64}', 'id', {
      location: 'path',
    });
  }
  return id;
}

/** What `If-Match` names: a version, `*` (whatever is stored), or undefined when absent. */
export function ifMatchVersion(event: APIGatewayProxyEventV2): number | '*' | undefined {
  const raw = event.headers?.['if-match'];
  if (raw === undefined) return undefined;
  if (raw.trim() === '*') return '*';
  const match = ETAG.exec(raw.trim());
  if (!match) {
    throw new HttpInputError(
      'InvalidRequest',
      'If-Match must be * or one ETag of this API: "<version>"',
      'If-Match',
      { location: 'header' },
    );
  }
  return Number(match[1]);
}

/** Validator warnings as the API answers them. */
export function warningsOf(warnings: readonly BindingWarning[]) {
  return warnings.map((w) => ({ code: w.code, path: w.field, message: w.message }));
}

/** `If-None-Match` on a PUT: only `*` (create), and never with `If-Match`. */
export function checkIfNoneMatch(
  event: APIGatewayProxyEventV2,
  ifMatch: number | '*' | undefined,
): void {
  const raw = event.headers?.['if-none-match'];
  if (raw !== undefined && (raw.trim() !== '*' || ifMatch !== undefined)) {
    throw new HttpInputError(
      'InvalidRequest',
      'If-None-Match may only be *, to create, and not with If-Match',
      'If-None-Match',
      { location: 'header' },
    );
  }
}
