/**
 * Building a Lambda entry at import time from `process.env`. A bad or missing configuration is
 * logged once and every request then answers 503 problem+json: never a crash at import, never a
 * grant.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { App } from './app.js';
import { createApp, createLogger } from './app.js';
import { loadConfig, type TesseraConfig } from './config.js';
import { ConfigError, HttpInputError } from './errors.js';
import { type HttpHandler, httpStack } from './http.js';
import { routeKey, routes, type VendHandlerName } from './routes.js';

/**
 * The handler `build` makes from the environment's configuration; if the configuration (or
 * `build`) throws, a handler answering 503 to every request.
 */
export function configuredHandler(
  build: (config: TesseraConfig, logger: Logger) => HttpHandler,
  env: Record<string, string | undefined> = process.env,
): HttpHandler {
  const logger = createLogger();
  try {
    return build(loadConfig(env), logger);
  } catch (err) {
    const failure =
      err instanceof ConfigError
        ? err
        : new ConfigError([
            { code: 'ConfigInvalid', pointer: '', message: String((err as Error)?.message ?? err) },
          ]);
    logger.error('configuration invalid: every request answers 503', {
      problems: failure.problems,
    });
    return httpStack(
      async () => {
        throw failure;
      },
      // No configuration, so no audit table to record in: the log line above is the record.
      { logger, corsOrigins: [], jsonBody: false, refusals: null },
    );
  }
}

/** The Lambda handler of one vend-app route. */
export function lambdaHandler(
  name: keyof App,
  env: Record<string, string | undefined> = process.env,
): HttpHandler {
  return configuredHandler((config, logger) => createApp(config, { logger })[name], env);
}

/**
 * The Lambda handler of a vend-app function serving several routes (`credentials`: the vend route
 * and the issuer's well-known documents), dispatched on `event.routeKey`.
 */
export function functionHandler(
  fn: string,
  env: Record<string, string | undefined> = process.env,
): HttpHandler {
  return configuredHandler((config, logger) => {
    const app = createApp(config, { logger });
    const byRouteKey = new Map<string, HttpHandler>();
    for (const route of routes) {
      if (route.function === fn && route.handler in app) {
        byRouteKey.set(routeKey(route), app[route.handler as VendHandlerName]);
      }
    }
    const notFound = httpStack(
      async (event) => {
        throw new HttpInputError('RouteNotFound', `no route ${event.routeKey} in ${fn}`);
      },
      // Only a deployment whose routes and functions disagree gets here (API Gateway routes by key).
      { logger, corsOrigins: config.corsOrigins, jsonBody: false, refusals: null },
    );
    return (event, context) => (byRouteKey.get(event.routeKey) ?? notFound)(event, context);
  }, env);
}
