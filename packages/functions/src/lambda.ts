/**
 * Building a Lambda entry at import time from `process.env`. A bad or missing configuration is
 * logged once and every request then answers 503 problem+json: never a crash at import, never a
 * grant.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { App } from './app.js';
import { createApp, createLogger } from './app.js';
import { loadConfig, type TesseraConfig } from './config.js';
import { ConfigError } from './errors.js';
import { type HttpHandler, httpStack } from './http.js';

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
      { logger, corsOrigins: [], jsonBody: false },
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
