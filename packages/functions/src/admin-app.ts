/**
 * The binding-admin application: `GET/PUT/DELETE /v1/admin/bindings[/{id}]` for members of the
 * administrators' group. Separate from the vend app (app.ts) so the vend bundle never carries the
 * IAM client or this code. Writes go through the broker's `createBindingAdmin` (validation and the
 * trust-policy vocabulary, IAM reads of the role and its policies, conditional write on
 * `version`), audited first (admin-audit.ts).
 *
 * HTTP conventions: a binding's ETag is `"<version>"`. `PUT` with `If-Match: "<n>"` replaces
 * version n with n+1 (200), `If-Match: *` whatever is stored; `PUT` without `If-Match` (or with
 * `If-None-Match: *`) only creates (201), and answers 412 if the binding exists. `DELETE` requires
 * `If-Match` (428 without it). What GET answers can be PUT back unchanged (`parseBindingWrite`:
 * server-managed fields equal to the stored ones are ignored; every problem is answered at once).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  BINDING_ID,
  type Binding,
  type BindingAdmin,
  BindingError,
  type BindingStore,
  createBindingAdmin,
  createRecorder,
  fieldIssues,
  type GrantHistory,
  parseBindingWrite,
  type Recorder,
  type RevocationStore,
  type RoleInspector,
  type RolePolicyWriter,
  sentBinding,
  type TargetRoles,
  TokenError,
  type VerifiedToken,
} from '@tessera/broker';
import { DynamoAuditReader } from '@tessera/broker/aws';
import { IamRoleInspector, IamRolePolicyWriter } from '@tessera/broker/aws-iam';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { reviewHandler, whatIfHandler } from './access-admin.js';
import { type AdminAction, type AdminActor, AdminAudit } from './admin-audit.js';
import {
  checkIfNoneMatch,
  etag,
  idParam,
  ifMatchVersion,
  poolIssuer,
  warningsOf,
  withHeaders,
} from './admin-request.js';
import { revocationHandlers } from './admin-revocations.js';
import { createLogger } from './app.js';
import type { TesseraConfig } from './config.js';
import { AdminRequiredError, alreadyRecorded, ConfigError, HttpInputError } from './errors.js';
import {
  bearerToken,
  type HttpHandler,
  httpStack,
  json,
  requestOrigin,
  type StackOptions,
  verifiedCaller,
} from './http.js';
import { configuredHandler } from './lambda.js';
import { type AdminHandlerName, routeKey, routes } from './routes.js';
import { type SharedDeps, sharedDeps } from './wiring.js';

export interface AdminAppDeps extends SharedDeps {
  readonly bindings: BindingStore & RevocationStore;
  readonly inspector: RoleInspector;
  /** The audit log's grants, for the access review's "last used". */
  readonly grants: GrantHistory;
  /** Writes the managed revocation policy on target roles (IAM PutRolePolicy/DeleteRolePolicy). */
  readonly policyWriter: RolePolicyWriter;
  /**
   * Told after a revocation write, so vend caches in this process drop the pool (the local stack
   * runs every function in one process; in Lambda the admin function has no vend cache).
   */
  readonly onPoolChanged?: (issuer: string) => void;
}

/** The store keeps revocations too (the DynamoDB and in-memory stores do); else misconfigured. */
function revocationStoreOf(store: BindingStore): BindingStore & RevocationStore {
  if ('addRevocation' in store && 'refresh' in store)
    return store as BindingStore & RevocationStore;
  throw new Error('the binding store given to the admin app does not keep revocations');
}

/** One handler per admin route (routes.ts). */
export type AdminApp = { readonly [K in AdminHandlerName]: HttpHandler };

function defaultDeps(
  config: TesseraConfig,
  logger: Logger,
  overrides: Partial<AdminAppDeps>,
): AdminAppDeps {
  // Administrators read what is stored now, not a vend cache.
  const shared = sharedDeps(config, logger, overrides, { bindingsCacheSeconds: 0 });
  return {
    clock: shared.clock,
    logger: shared.logger,
    verifier: shared.verifier,
    bindings: revocationStoreOf(shared.bindings),
    audit: shared.audit,
    subjects: shared.subjects,
    grants:
      overrides.grants ??
      new DynamoAuditReader({
        client: shared.dynamoClient(),
        tableName: config.tables.audit,
        clock: shared.clock,
      }),
    policyWriter:
      overrides.policyWriter ??
      new IamRolePolicyWriter({
        accountId: config.accountId,
        region: config.region,
        endpoint: config.endpoints?.iam,
        credentials: config.credentials,
        writerRoleName: config.revocationWriterRole ?? null,
        ...(config.endpoints?.sts ? { stsEndpoint: config.endpoints.sts } : {}),
      }),
    ...(overrides.onPoolChanged ? { onPoolChanged: overrides.onPoolChanged } : {}),
    inspector:
      overrides.inspector ??
      new IamRoleInspector({
        accountId: config.accountId,
        region: config.region,
        endpoint: config.endpoints?.iam,
        credentials: config.credentials,
      }),
  };
}

/**
 * The target roles, required here: without them any role could be bound. Loud at init (every
 * request then answers 503), never a write that skips the check.
 */
function requiredTargets(config: TesseraConfig): TargetRoles {
  if (config.targetRoles !== undefined && config.targetRoles !== null) return config.targetRoles;
  throw new ConfigError([
    {
      code: 'Required',
      pointer: '/TESSERA_TARGET_ROLES',
      message:
        'the binding-admin function needs TESSERA_TARGET_ROLES and TESSERA_BROKER_ROLE_ARN (the roles a binding may name)',
    },
  ]);
}

/** The path's binding id when it is one (else the refusal names none). */
function validBindingId(event: APIGatewayProxyEventV2): string | undefined {
  const id = event.pathParameters?.['id'];
  return id !== undefined && BINDING_ID.test(id) ? id : undefined;
}

/** The action a refused admin request is recorded as. */
type AdminRouteAction = AdminAction | 'binding.read';

/** What every admin route shares: its ports, the audit writer, the trusted issuers. */
export class AdminContext {
  readonly issuers: ReadonlySet<string>;
  readonly audit: AdminAudit;
  /** The broker's exit: records what is refused before a write's own trail starts. */
  readonly recorder: Recorder;
  /** The roles a binding may name (never the broker's own). */
  readonly targets: TargetRoles;

  constructor(
    readonly config: TesseraConfig,
    readonly deps: AdminAppDeps,
    readonly logger: Logger,
  ) {
    this.issuers = new Set(config.pools.map((p) => poolIssuer(p.userPoolId)));
    this.targets = requiredTargets(config);
    this.audit = new AdminAudit({
      sink: deps.audit,
      clock: deps.clock,
      ttlDays: config.auditTtlDays,
      log: (message, data) => logger.error(message, data),
    });
    this.recorder = createRecorder({
      audit: deps.audit,
      clock: deps.clock,
      auditTtlDays: config.auditTtlDays,
      log: (level, message, data) => logger[level](message, data ?? {}),
    });
  }

  /** The middy stack's options of a route whose refusals are recorded as `action`. */
  stack(action: AdminRouteAction, jsonBody: boolean): StackOptions {
    return {
      logger: this.logger,
      corsOrigins: this.config.corsOrigins,
      audience: 'admin',
      jsonBody,
      refusals: {
        recorder: this.recorder,
        action,
        // A revocation's {id} is no binding id.
        ...(action.startsWith('binding.') ? { bindingIdOf: validBindingId } : {}),
      },
    };
  }

  /**
   * The verified administrator. 401 for a missing or bad token (as the vend app), 403
   * AdminRequired for a verified caller outside the group; a refused write or access question
   * (`action`) is audited.
   */
  async administrator(event: APIGatewayProxyEventV2, write?: AdminAction): Promise<AdminActor> {
    const rawToken = bearerToken(event);
    if (rawToken === undefined) throw new TokenError('TokenMissing', 'a bearer token is required');
    const token: VerifiedToken = await this.deps.verifier.verify(rawToken);
    verifiedCaller(event, token);
    const actor = { token, rawToken, origin: requestOrigin(event) };
    const groups = token.claims['cognito:groups'];
    if (Array.isArray(groups) && groups.includes(this.config.adminGroup)) return actor;
    if (write) {
      await this.audit.record(actor, {
        action: write,
        result: 'deny',
        reason: 'AdminRequired',
        bindingId: write.startsWith('binding.') ? validBindingId(event) : undefined,
        roleArn: undefined,
        previousVersion: null,
        newVersion: null,
      });
    }
    // A refused write is in its trail already; a refused read is recorded by the HTTP layer.
    throw write ? alreadyRecorded(new AdminRequiredError()) : new AdminRequiredError();
  }

  /** `?issuer=`: a configured pool's issuer; default the caller's own. */
  issuerParam(event: APIGatewayProxyEventV2, actor: AdminActor): string {
    const issuer = event.queryStringParameters?.['issuer'] ?? actor.token.issuer;
    if (!this.issuers.has(issuer)) {
      throw new HttpInputError(
        'InvalidRequest',
        'issuer must be the issuer URL of a configured user pool',
        'issuer',
        { location: 'query' },
      );
    }
    return issuer;
  }

  /** The binding admin writing through the audited store, as this actor. */
  binder(actor: AdminActor): BindingAdmin {
    return createBindingAdmin({
      store: this.audit.store(this.deps.bindings, actor),
      inspector: this.deps.inspector,
      clock: this.deps.clock,
      targets: this.targets,
      vocabulary: { customAttributes: this.config.customAttributes },
    });
  }
}

function listBindings(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event);
      const issuer = ctx.issuerParam(event, actor);
      // The BindingStore port has no pagination: one pool's bindings are loaded whole (as a vend
      // loads them), so the answer is the whole list.
      const bindings = await ctx.deps.bindings.listByIssuer(issuer);
      return json(200, { issuer, bindings });
    },
    ctx.stack('binding.read', false),
  );
}

function getBinding(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event);
      const id = idParam(event);
      const binding = await ctx.deps.bindings.get(ctx.issuerParam(event, actor), id);
      if (!binding) throw new BindingError('BindingNotFound', `binding ${id} does not exist`);
      return withHeaders(json(200, { binding }), { ETag: etag(binding.version) });
    },
    ctx.stack('binding.read', false),
  );
}

/**
 * The issuer a write is addressed to: the body's, else `?issuer=` or the caller's pool. A query
 * issuer that contradicts the body's is refused; whether it is trusted is the write's check.
 */
function writeIssuer(event: APIGatewayProxyEventV2, actor: AdminActor, body: unknown): unknown {
  const sent = isPlainObject(body) && Object.hasOwn(body, 'issuer') ? body['issuer'] : undefined;
  const queryIssuer = event.queryStringParameters?.['issuer'];
  if (sent === undefined) return queryIssuer ?? actor.token.issuer;
  if (queryIssuer !== undefined && queryIssuer !== sent) {
    throw new HttpInputError(
      'InvalidRequest',
      'the issuer query parameter and the body issuer differ',
      'issuer',
      { location: 'query' },
    );
  }
  return sent;
}

function putBinding(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'binding.put');
      const id = idParam(event);
      const ifMatch = ifMatchVersion(event);
      checkIfNoneMatch(event, ifMatch);
      const body = sentBinding(event.body as unknown);
      const issuer = writeIssuer(event, actor, body);
      const stored =
        typeof issuer === 'string' ? await ctx.deps.bindings.get(issuer, id) : undefined;
      const write = parseBindingWrite(body, {
        id,
        issuer,
        stored,
        issuers: ctx.issuers,
        ...(typeof ifMatch === 'number' ? { expectedVersion: ifMatch } : {}),
      });
      if (!write.ok) {
        const issues = fieldIssues(write.problems);
        throw new BindingError('BindingInvalid', `binding ${id} is invalid`, issues);
      }
      const version = nextVersion(id, ifMatch, stored);
      const parsed = await ctx
        .binder(actor)
        .apply({ ...write.value, version }, subjectOfActor(actor.token));
      const created = ifMatch === undefined;
      ctx.logger.info(created ? 'binding created' : 'binding replaced', { bindingId: id, version });
      const answer = { binding: parsed.binding, warnings: warningsOf(parsed.warnings) };
      return withHeaders(json(created ? 201 : 200, answer), {
        ETag: etag(parsed.binding.version),
        ...(created ? { Location: `/v1/admin/bindings/${id}` } : {}),
      });
    },
    ctx.stack('binding.put', true),
  );
}

function deleteBinding(ctx: AdminContext): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const actor = await ctx.administrator(event, 'binding.delete');
      const id = idParam(event);
      const ifMatch = ifMatchVersion(event);
      if (ifMatch === undefined) {
        throw new HttpInputError(
          'PreconditionRequired',
          'send If-Match: "<version>" (the ETag of the binding to delete) or If-Match: *',
          'If-Match',
          { location: 'header' },
        );
      }
      const issuer = ctx.issuerParam(event, actor);
      const version =
        ifMatch === '*' ? (await ctx.deps.bindings.get(issuer, id))?.version : ifMatch;
      if (version === undefined) {
        throw new BindingError('BindingNotFound', `binding ${id} does not exist`);
      }
      await ctx.binder(actor).remove(issuer, id, version);
      ctx.logger.info('binding deleted', { bindingId: id, version });
      return { statusCode: 204, headers: { 'Cache-Control': 'no-store' } };
    },
    ctx.stack('binding.delete', false),
  );
}

export function createAdminApp(
  config: TesseraConfig,
  overrides: Partial<AdminAppDeps> = {},
): AdminApp {
  const logger = overrides.logger ?? createLogger();
  const ctx = new AdminContext(config, defaultDeps(config, logger, overrides), logger);
  return {
    listBindings: listBindings(ctx),
    getBinding: getBinding(ctx),
    putBinding: putBinding(ctx),
    deleteBinding: deleteBinding(ctx),
    whatIf: whatIfHandler(ctx),
    review: reviewHandler(ctx),
    ...revocationHandlers(ctx),
  };
}

/**
 * The version a PUT writes: 1 creates (no If-Match), n + 1 replaces n, and `If-Match: *` replaces
 * whatever is stored (412 when nothing is).
 */
function nextVersion(id: string, ifMatch: number | '*' | undefined, stored: Binding | undefined) {
  if (ifMatch === undefined) return 1;
  if (ifMatch !== '*') return ifMatch + 1;
  if (stored === undefined) {
    throw new BindingError('BindingVersionConflict', `binding ${id} does not exist (If-Match: *)`);
  }
  return stored.version + 1;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `updatedBy`: the writer's stable identity, `<iss>|<sub>` (a username can be reassigned). */
export function subjectOfActor(token: VerifiedToken): string {
  return `${token.issuer}|${token.subject}`;
}

/**
 * One handler for every admin route: dispatches on `event.routeKey` (`"PUT /v1/admin/bindings/{id}"`,
 * as API Gateway and the local stack set it). An unknown route key answers 404 problem+json.
 */
export function adminDispatcher(app: AdminApp, logger: Logger, corsOrigins: readonly string[]) {
  const byRouteKey = new Map<string, HttpHandler>();
  for (const route of routes) {
    if (route.function === 'admin-bindings' && route.handler in app) {
      byRouteKey.set(routeKey(route), app[route.handler as AdminHandlerName]);
    }
  }
  const notFound = httpStack(
    async (event: APIGatewayProxyEventV2) => {
      throw new HttpInputError('RouteNotFound', `no admin route ${event.routeKey}`);
    },
    // Only a deployment whose routes and functions disagree gets here (API Gateway routes by key).
    { logger, corsOrigins, jsonBody: false, audience: 'admin', refusals: null },
  );
  const dispatch: HttpHandler = (event, context) =>
    (byRouteKey.get(event.routeKey) ?? notFound)(event, context);
  return dispatch;
}

/** The Lambda handler of the `admin-bindings` function: every admin route, built once. */
export function adminLambdaHandler(
  env: Record<string, string | undefined> = process.env,
): HttpHandler {
  return configuredHandler((config, logger) => {
    const app = createAdminApp(config, { logger });
    return adminDispatcher(app, logger, config.corsOrigins);
  }, env);
}
