/**
 * The application: the broker wired to its ports, and the three HTTP handlers over it. Clients are
 * created and the JWKS warmed here, once, at init — never per request.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type CredentialsBody,
  type CredentialVendor,
  createBroker,
  MemoryRateLimiter,
  parseCredentialsBody,
} from '@tessera/broker';
import { StsCredentialVendor } from '@tessera/broker/aws';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TesseraConfig } from './config.js';
import { granted, invalidBody } from './errors.js';
import { bearerToken, type HttpHandler, httpStack, json, requestOrigin } from './http.js';
import type { VendHandlerName } from './routes.js';
import { type SharedDeps, sharedDeps } from './wiring.js';

export interface AppDeps extends SharedDeps {
  readonly vendor: CredentialVendor;
}

/** One handler per route (routes.ts): `credentials` POST /v1/credentials, `roles` GET /v1/roles, `health` GET /healthz. */
export type App = { readonly [K in VendHandlerName]: HttpHandler };

export function createLogger(): Logger {
  return new Logger({ serviceName: 'tessera' });
}

/** The credentials body, checked for shape (its schema); values are checked by the broker. */
function credentialsBody(unverifiedBody: unknown): CredentialsBody {
  const parsed = parseCredentialsBody(unverifiedBody);
  if (!parsed.ok) throw invalidBody(parsed.problems);
  return parsed.value;
}

function defaultDeps(config: TesseraConfig, logger: Logger, overrides: Partial<AppDeps>): AppDeps {
  const shared = sharedDeps(config, logger, overrides, {
    bindingsCacheSeconds: config.cache.bindingsSeconds,
  });
  return {
    clock: shared.clock,
    logger: shared.logger,
    verifier: shared.verifier,
    bindings: shared.bindings,
    audit: shared.audit,
    vendor:
      overrides.vendor ??
      new StsCredentialVendor({
        region: config.region,
        endpoint: config.endpoints?.sts,
        credentials: config.credentials,
      }),
  };
}

export function createApp(config: TesseraConfig, overrides: Partial<AppDeps> = {}): App {
  const logger = overrides.logger ?? createLogger();
  const deps = defaultDeps(config, logger, overrides);
  const broker = createBroker({
    verifier: deps.verifier,
    bindings: deps.bindings,
    vendor: deps.vendor,
    audit: deps.audit,
    clock: deps.clock,
    roleChaining: config.roleChainingCap,
    auditTtlDays: config.auditTtlDays,
    adminGroup: config.adminGroup,
    limiter: new MemoryRateLimiter(config.rateLimits),
    log: (level, message, data) => logger[level](message, data ?? {}),
  });
  const stack = { logger, corsOrigins: config.corsOrigins };

  const credentials = httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const body = credentialsBody(event.body as unknown);
      const result = granted(
        await broker.vend({
          rawToken: bearerToken(event),
          role: body.role,
          durationSeconds: body.durationSeconds,
          policy: body.policy,
          origin: requestOrigin(event),
        }),
      );
      logger.info('credentials vended', {
        bindingId: result.bindingId,
        roleArn: result.roleArn,
        accessKeyId: result.credentials.accessKeyId,
        durationSeconds: result.durationSeconds,
        clampedBy: result.clampedBy,
      });
      if (event.queryStringParameters?.['format'] === 'credential_process') {
        return json(200, {
          Version: 1,
          AccessKeyId: result.credentials.accessKeyId,
          SecretAccessKey: result.credentials.secretAccessKey,
          SessionToken: result.credentials.sessionToken,
          Expiration: result.credentials.expiration,
        });
      }
      return json(200, {
        credentials: result.credentials,
        roleArn: result.roleArn,
        durationSeconds: result.durationSeconds,
        clampedBy: result.clampedBy,
        sourceIdentity: result.sourceIdentity,
        sessionName: result.sessionName,
      });
    },
    { ...stack, jsonBody: true },
  );

  const roles = httpStack(
    async (event: APIGatewayProxyEventV2) =>
      json(
        200,
        granted(
          await broker.listRoles({ rawToken: bearerToken(event), origin: requestOrigin(event) }),
        ),
      ),
    { ...stack, jsonBody: false },
  );

  const health = httpStack(async () => json(200, { status: 'ok' }), { ...stack, jsonBody: false });

  return { credentials, roles, health };
}
