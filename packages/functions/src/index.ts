/**
 * @tessera/functions: Tessera's Lambda handlers, thin HTTP shells over the broker. The local stack
 * serves `createApp(...)`'s handlers by `routes`; Lambda runs `src/handlers/<function>.ts`.
 */
export { type App, type AppDeps, createApp } from './app.js';
export { loadConfig, type PoolConfig, type TesseraConfig } from './config.js';
export { ConfigError, HttpInputError, type HttpInputErrorCode } from './errors.js';
export type { HttpHandler } from './http.js';
export { lambdaHandler } from './lambda.js';
export { type Problem, problemFor } from './problem.js';
export { type HandlerName, type Route, routes } from './routes.js';
