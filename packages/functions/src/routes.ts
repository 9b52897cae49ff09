/**
 * The HTTP routes: the one table the local stack's API emulation and the SST infra both read.
 * Imports nothing, so infra can read it without the handlers' dependencies.
 */

/** The handlers an App has (`keyof App`). */
export type HandlerName = 'credentials' | 'roles' | 'health';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** The App handler serving it. */
  readonly handler: HandlerName;
  /** The Lambda function (entry module `src/handlers/<function>.ts`) serving it. */
  readonly function: string;
}

export const routes: ReadonlyArray<Route> = [
  { method: 'POST', path: '/v1/credentials', handler: 'credentials', function: 'credentials' },
  { method: 'GET', path: '/v1/roles', handler: 'roles', function: 'roles' },
  { method: 'GET', path: '/healthz', handler: 'health', function: 'health' },
];
