/**
 * Building a Lambda entry at import time from `process.env`. A bad or missing configuration is
 * logged once and every request then answers 503 problem+json: never a crash at import, never a
 * grant.
 */
import type { App } from './app.js';
import { createApp, createLogger } from './app.js';
import { loadConfig } from './config.js';
import { ConfigError } from './errors.js';
import { type HttpHandler, httpStack } from './http.js';

export function lambdaHandler(
  name: keyof App,
  env: Record<string, string | undefined> = process.env,
): HttpHandler {
  const logger = createLogger();
  let app: App;
  try {
    app = createApp(loadConfig(env), { logger });
  } catch (err) {
    logger.error('configuration invalid: every request answers 503', {
      problems:
        err instanceof ConfigError ? err.problems : [String((err as Error)?.message ?? err)],
    });
    const failure =
      err instanceof ConfigError ? err : new ConfigError([String((err as Error)?.message ?? err)]);
    return httpStack(
      async () => {
        throw failure;
      },
      { logger, corsOrigins: [], jsonBody: false },
    );
  }
  return app[name];
}
