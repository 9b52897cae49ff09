/**
 * The HTTP routes: the one table the local stack's API emulation and the SST infra both read.
 * Imports nothing, so infra can read it without the handlers' dependencies.
 */

/** The vend app's handlers (`keyof App`, app.ts). */
export type VendHandlerName =
  | 'credentials'
  | 'roles'
  | 'health'
  | 'openidConfiguration'
  | 'jwks'
  | 'simulate'
  | 'console';

/** The audit app's handlers (`keyof AuditApp`, audit-app.ts). */
export type AuditHandlerName = 'audit' | 'auditMe' | 'auditTrail' | 'subjectTrail';

/** The binding-admin app's handlers (`keyof AdminApp`, admin-app.ts). */
export type AdminHandlerName = 'listBindings' | 'getBinding' | 'putBinding' | 'deleteBinding';

export type HandlerName = VendHandlerName | AdminHandlerName | AuditHandlerName;

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path; `{id}` is a path parameter (`event.pathParameters.id`). */
  readonly path: string;
  /** The App (or AdminApp) handler serving it. */
  readonly handler: HandlerName;
  /**
   * The Lambda function (entry module `src/handlers/<function>.ts`) serving it. One function may
   * serve several routes: its entry dispatches on `event.routeKey` (`"<method> <path>"`).
   */
  readonly function: string;
}

const ADMIN_BINDINGS = 'admin-bindings';

export const routes: ReadonlyArray<Route> = [
  { method: 'POST', path: '/v1/credentials', handler: 'credentials', function: 'credentials' },
  { method: 'GET', path: '/v1/roles', handler: 'roles', function: 'roles' },
  { method: 'GET', path: '/healthz', handler: 'health', function: 'health' },
  { method: 'POST', path: '/v1/simulate', handler: 'simulate', function: 'simulate' },
  { method: 'POST', path: '/v1/console', handler: 'console', function: 'console' },
  { method: 'GET', path: '/v1/audit', handler: 'audit', function: 'audit' },
  { method: 'GET', path: '/v1/audit/me', handler: 'auditMe', function: 'audit' },
  // What was done with what Tessera vended, from CloudTrail (the audit function reads it).
  { method: 'GET', path: '/v1/audit/trail', handler: 'subjectTrail', function: 'audit' },
  { method: 'GET', path: '/v1/audit/{eventId}/trail', handler: 'auditTrail', function: 'audit' },
  // Tessera's OIDC issuer: served by the vend function, the only one allowed to read the KMS keys.
  {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    handler: 'openidConfiguration',
    function: 'credentials',
  },
  { method: 'GET', path: '/.well-known/jwks.json', handler: 'jwks', function: 'credentials' },
  {
    method: 'GET',
    path: '/v1/admin/bindings',
    handler: 'listBindings',
    function: ADMIN_BINDINGS,
  },
  {
    method: 'GET',
    path: '/v1/admin/bindings/{id}',
    handler: 'getBinding',
    function: ADMIN_BINDINGS,
  },
  {
    method: 'PUT',
    path: '/v1/admin/bindings/{id}',
    handler: 'putBinding',
    function: ADMIN_BINDINGS,
  },
  {
    method: 'DELETE',
    path: '/v1/admin/bindings/{id}',
    handler: 'deleteBinding',
    function: ADMIN_BINDINGS,
  },
];

/** The API Gateway route key of a route: `"GET /v1/admin/bindings/{id}"`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
