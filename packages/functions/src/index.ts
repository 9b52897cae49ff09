/**
 * @tessera/functions: Tessera's Lambda handlers, thin HTTP shells over the broker. The local stack
 * serves `createApp(...)`'s and `createAdminApp(...)`'s handlers by `routes`; Lambda runs
 * `src/handlers/<function>.ts`.
 */
export {
  type AdminApp,
  type AdminAppDeps,
  adminDispatcher,
  adminLambdaHandler,
  createAdminApp,
} from './admin-app.js';
export type { AdminAction, AdminAuditEvent } from './admin-audit.js';
export { poolIssuer } from './admin-request.js';
export { type App, type AppDeps, createApp, createLogger } from './app.js';
export {
  type AuditApp,
  type AuditAppDeps,
  auditDispatcher,
  auditLambdaHandler,
  createAuditApp,
} from './audit-app.js';
export {
  type ConsoleConfig,
  consoleDefaults,
  envSchema,
  loadConfig,
  type PoolConfig,
  type TesseraConfig,
} from './config.js';
export { consoleDestination, consoleSigninUrl } from './console-link.js';
export {
  AdminRequiredError,
  ConfigError,
  type ConfigProblem,
  type ConfigProblemCode,
  HttpInputError,
  type HttpInputErrorCode,
  type InputIssue,
  type InputLocation,
} from './errors.js';
export type { HttpHandler } from './http.js';
export { configuredHandler, functionHandler, lambdaHandler } from './lambda.js';
export type { OidcConfig, OidcKeyConfig } from './oidc-config.js';
export { type Problem, problemFor } from './problem.js';
export {
  type AdminHandlerName,
  type AuditHandlerName,
  type HandlerName,
  type Route,
  routeKey,
  routes,
  type VendHandlerName,
} from './routes.js';
export { WELL_KNOWN_MAX_AGE, type WellKnownHandlers, wellKnownHandlers } from './well-known.js';
export { bindingStoreOf, dynamoClientOf } from './wiring.js';
