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
  | 'console'
  /** Any other method or path under /v1: 405 (with Allow) or 404, recorded. */
  | 'unrouted';

/** The audit app's handlers (`keyof AuditApp`, audit-app.ts). */
export type AuditHandlerName = 'audit' | 'auditMe' | 'auditTrail' | 'subjectTrail';

/** The binding-admin app's handlers (`keyof AdminApp`, admin-app.ts). */
export type AdminHandlerName =
  | 'listBindings'
  | 'getBinding'
  | 'putBinding'
  | 'deleteBinding'
  | 'whatIf'
  | 'review'
  | 'listRevocations'
  | 'addRevocation'
  | 'liftRevocation';

export type HandlerName = VendHandlerName | AdminHandlerName | AuditHandlerName;

export interface Route {
  /** `ANY`: every method (the catch-all only; API Gateway prefers any more specific route). */
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'ANY';
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

/** The catch-all route's path: every path under /v1 (API Gateway's greedy path variable). */
export const UNROUTED_PATH = '/v1/{proxy+}';

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
  // Access questions (issue 17): the admin function's role reads bindings, subjects and the audit log.
  { method: 'POST', path: '/v1/admin/what-if', handler: 'whatIf', function: ADMIN_BINDINGS },
  { method: 'GET', path: '/v1/admin/review', handler: 'review', function: ADMIN_BINDINGS },
  // The kill switch: served by the admin function, the only one allowed to write role policies.
  {
    method: 'GET',
    path: '/v1/admin/revocations',
    handler: 'listRevocations',
    function: ADMIN_BINDINGS,
  },
  {
    method: 'POST',
    path: '/v1/admin/revocations',
    handler: 'addRevocation',
    function: ADMIN_BINDINGS,
  },
  {
    method: 'DELETE',
    path: '/v1/admin/revocations/{id}',
    handler: 'liftRevocation',
    function: ADMIN_BINDINGS,
  },
  // Last, the least specific: what no route above takes under /v1 reaches a function (not API
  // Gateway's unrecorded 404), which answers 405 or 404 and records the refusal.
  { method: 'ANY', path: UNROUTED_PATH, handler: 'unrouted', function: 'credentials' },
];

/**
 * Whether a request path matches a route path: literal segments equal, `{name}` one non-empty
 * segment, `{name+}` one or more (API Gateway's matching, without its preference order).
 */
export function pathMatches(routePath: string, path: string): boolean {
  const want = routePath.split('/');
  const have = path.split('/');
  for (const [i, segment] of want.entries()) {
    if (/^\{\w+\+\}$/.test(segment)) return have.slice(i).join('/') !== '';
    const part = have[i];
    if (part === undefined) return false;
    if (/^\{\w+\}$/.test(segment) ? part === '' : part !== segment) return false;
  }
  return have.length === want.length;
}

/** The methods the routes of `path` take (the catch-all aside): an `Allow` header's list. */
export function allowedMethods(path: string): string[] {
  return routes.filter((r) => r.method !== 'ANY' && pathMatches(r.path, path)).map((r) => r.method);
}

/** The API Gateway route key of a route: `"GET /v1/admin/bindings/{id}"`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
