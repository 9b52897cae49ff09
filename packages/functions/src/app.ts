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
  type SigningKeys,
  scheduledKeys,
  type VendResult,
} from '@tessera/broker';
import {
  createKmsSigner,
  StsCredentialVendor,
  WebIdentityCredentialVendor,
} from '@tessera/broker/aws';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TesseraConfig } from './config.js';
import { ConfigError, granted, HttpInputError, invalidBody } from './errors.js';
import { bearerToken, type HttpHandler, httpStack, json, requestOrigin } from './http.js';
import { consoleHandler, simulateHandler } from './operate.js';
import { allowedMethods, type VendHandlerName } from './routes.js';
import { wellKnownHandlers } from './well-known.js';
import { type SharedDeps, sharedDeps } from './wiring.js';

export interface AppDeps extends SharedDeps {
  readonly vendor: CredentialVendor;
  /** Tessera's OIDC issuer keys; default the KMS keys of TESSERA_OIDC_KEYS (local stack: a key file). */
  readonly signingKeys?: SigningKeys;
  /** The web-identity vendor; default one over the issuer's keys when TESSERA_OIDC_* is set. */
  readonly webIdentityVendor?: CredentialVendor | null;
  /** The HTTP client of the console route's federation endpoint calls (default global fetch). */
  readonly fetch?: typeof fetch;
}

/**
 * One handler per route (routes.ts): `credentials` POST /v1/credentials, `roles` GET /v1/roles,
 * `health` GET /healthz, `openidConfiguration` and `jwks` the issuer's well-known documents,
 * `simulate` POST /v1/simulate, `console` POST /v1/console, `unrouted` any other request under
 * /v1 (405 or 404, recorded).
 */
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
    subjects: shared.subjects,
    vendor:
      overrides.vendor ??
      new StsCredentialVendor({
        region: config.region,
        endpoint: config.endpoints?.sts,
        credentials: config.credentials,
        requestTimeoutMs: config.stsTimeoutMs,
      }),
  };
}

/**
 * The issuer's keys, loaded at init (KMS GetPublicKey per key, single flight) so the warm path only
 * signs. Null without an issuer. A failure is logged here and answered 5xx by whoever awaits it.
 */
function issuerKeys(
  config: TesseraConfig,
  logger: Logger,
  injected: SigningKeys | undefined,
): Promise<SigningKeys> | null {
  if (!config.oidc) return null;
  if (injected) return Promise.resolve(injected);
  if (config.oidc.keys.length === 0) {
    throw new ConfigError([
      {
        code: 'ConfigInvalid',
        pointer: '/TESSERA_OIDC_KEYS',
        message: 'must name at least one KMS key',
      },
    ]);
  }
  const keys = Promise.all(
    config.oidc.keys.map(async (k) => ({
      signsFrom: k.signsFrom,
      signer: await createKmsSigner(k.keyId, {
        region: config.region,
        endpoint: config.endpoints?.kms,
        credentials: config.credentials,
      }),
    })),
  ).then((scheduled) => scheduledKeys(scheduled));
  keys.catch((err: unknown) =>
    logger.error('OIDC signing keys not loaded', { errorName: (err as Error)?.name }),
  );
  return keys;
}

/** The web-identity vendor over the issuer's keys (STS's endpoint as the AssumeRole vendor's). */
function webIdentityVendor(
  config: TesseraConfig,
  keys: Promise<SigningKeys> | null,
  deps: AppDeps,
): CredentialVendor | null {
  if (deps.webIdentityVendor !== undefined) return deps.webIdentityVendor;
  if (!config.oidc || keys === null) return null;
  return new WebIdentityCredentialVendor({
    keys,
    issuer: config.oidc.issuer,
    audience: config.oidc.audience,
    clock: deps.clock,
    region: config.region,
    endpoint: config.endpoints?.sts,
    requestTimeoutMs: config.stsTimeoutMs,
  });
}

/** A vend's answer: Tessera's shape, or the AWS CLI's `credential_process` shape when asked. */
function credentialsAnswer(result: VendResult, format: string | undefined): object {
  if (format === 'credential_process') {
    return {
      Version: 1,
      AccessKeyId: result.credentials.accessKeyId,
      SecretAccessKey: result.credentials.secretAccessKey,
      SessionToken: result.credentials.sessionToken,
      Expiration: result.credentials.expiration,
    };
  }
  return {
    credentials: result.credentials,
    roleArn: result.roleArn,
    durationSeconds: result.durationSeconds,
    clampedBy: result.clampedBy,
    sourceIdentity: result.sourceIdentity,
    sessionName: result.sessionName,
  };
}

/**
 * The catch-all route: 405 with `Allow` when the path has routes for other methods, else 404. A
 * CORS preflight (`OPTIONS` on a routed path) is answered 204: API Gateway sends it to the ANY
 * route and adds its configured CORS headers to the answer; it decides nothing.
 */
async function unroutedRequest(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const method = event.requestContext?.http?.method ?? '';
  const allow = allowedMethods(event.rawPath ?? '');
  if (method === 'OPTIONS' && allow.length > 0) {
    return { statusCode: 204, headers: { Allow: allow.join(', '), 'Cache-Control': 'no-store' } };
  }
  if (allow.length > 0) {
    throw new HttpInputError('MethodNotAllowed', `${method} is not allowed here`, undefined, {
      allow,
    });
  }
  throw new HttpInputError('RouteNotFound', 'no such route');
}

/** A route that decides nothing: no body, no refusal to record. */
const PUBLIC = { jsonBody: false, refusals: null } as const;

export function createApp(config: TesseraConfig, overrides: Partial<AppDeps> = {}): App {
  const logger = overrides.logger ?? createLogger();
  const deps = defaultDeps(config, logger, overrides);
  const keys = issuerKeys(config, logger, overrides.signingKeys);
  const broker = createBroker({
    verifier: deps.verifier,
    bindings: deps.bindings,
    vendor: deps.vendor,
    webIdentityVendor: webIdentityVendor(config, keys, { ...deps, ...overrides }),
    audit: deps.audit,
    clock: deps.clock,
    roleChaining: config.roleChainingCap,
    auditTtlDays: config.auditTtlDays,
    adminGroup: config.adminGroup,
    limiter: new MemoryRateLimiter(config.rateLimits),
    subjects: deps.subjects,
    subjectTtlDays: config.subjectTtlDays,
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
      return json(200, credentialsAnswer(result, event.queryStringParameters?.['format']));
    },
    { ...stack, jsonBody: true, refusals: { recorder: broker, action: 'vend' } },
  );

  const roles = httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const listed = granted(
        await broker.listRoles({ rawToken: bearerToken(event), origin: requestOrigin(event) }),
      );
      const accounts = listed.accounts.map((a) => ({
        accountId: a.accountId,
        accountName: config.accounts[a.accountId] ?? null,
        roles: a.roles,
      }));
      return json(200, { accounts });
    },
    { ...stack, jsonBody: false, refusals: { recorder: broker, action: 'roles' } },
  );

  // Decides nothing, reads nothing: nothing to record.
  const health = httpStack(async () => json(200, { status: 'ok' }), { ...stack, ...PUBLIC });

  // Public documents: they decide nothing, so their refusals are not recorded.
  const wellKnown = wellKnownHandlers(config.oidc ?? null, keys, deps.clock, {
    ...stack,
    ...PUBLIC,
  });
  const simulate = simulateHandler(broker, deps, config, stack);
  const consoleLink = consoleHandler(broker, config, stack, overrides.fetch);
  const unrouted = httpStack(unroutedRequest, {
    ...stack,
    ...{ jsonBody: false, refusals: { recorder: broker, action: 'request' } },
  });
  return { credentials, roles, health, ...wellKnown, simulate, console: consoleLink, unrouted };
}
