/**
 * The audit app: `GET /v1/audit` (administrators: events by subject, binding, role ARN, result and
 * time range), `GET /v1/audit/me` (a caller's own grants: what was issued in their name), and the
 * trails (administrators, trail.ts): `GET /v1/audit/{eventId}/trail` and `GET /v1/audit/trail`.
 * Each filter is served by a key or an index of the audit table (`DynamoAuditReader`), never a
 * scan; pages are newest first with an opaque cursor. Its own function and role: it reads the
 * audit log and CloudTrail (LookupEvents), nothing else.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type AuditFilter,
  type AuditReader,
  type AuditResult,
  type Clock,
  isCursorOf,
  MAX_AUDIT_LIMIT,
  subjectOf,
  systemClock,
  TokenError,
  type TokenVerifier,
  type TrailSource,
} from '@tessera/broker';
import { CognitoTokenVerifier, DynamoAuditReader } from '@tessera/broker/aws';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createLogger } from './app.js';
import type { TesseraConfig } from './config.js';
import { AdminRequiredError, HttpInputError } from './errors.js';
import { bearerToken, type HttpHandler, httpStack, json } from './http.js';
import { configuredHandler } from './lambda.js';
import { type AuditHandlerName, routeKey, routes } from './routes.js';
import { configuredTrailSource, eventTrail, grantsWithTrails, subjectTrailQuery } from './trail.js';
import { dynamoClientOf } from './wiring.js';

export interface AuditAppDeps {
  readonly verifier: TokenVerifier;
  readonly reader: AuditReader;
  /** CloudTrail, for the trail routes (created on first use when not given). */
  readonly trail: TrailSource;
  readonly clock: Clock;
  readonly logger: Logger;
}

export type AuditApp = { readonly [K in AuditHandlerName]: HttpHandler };

const RESULTS = new Set<AuditResult>(['grant', 'deny', 'error']);
const DEFAULT_LIMIT = 50;
const PARAMS = new Set([
  'subject',
  'binding',
  'roleArn',
  'result',
  'from',
  'to',
  'limit',
  'cursor',
]);
const ME_PARAMS = new Set(['from', 'to', 'limit', 'cursor']);
const TRAIL_PARAMS = new Set(['subject', 'username', 'from', 'to', 'limit', 'cursor']);

function param(
  query: Record<string, string | undefined>,
  name: string,
  pattern: RegExp,
  what: string,
): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (!pattern.test(v))
    throw new HttpInputError('InvalidRequest', `${name} must be ${what}`, name, {
      location: 'query',
    });
  return v;
}

function instant(query: Record<string, string | undefined>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) {
    throw new HttpInputError('InvalidRequest', `${name} must be an ISO 8601 instant`, name, {
      location: 'query',
    });
  }
  return new Date(t).toISOString();
}

/** The query string, checked: every problem names its parameter. */
export function auditQuery(
  event: APIGatewayProxyEventV2,
  allowed: Set<string>,
): { filter: AuditFilter; limit: number; cursor: string | undefined } {
  const query = event.queryStringParameters ?? {};
  for (const key of Object.keys(query)) {
    if (!allowed.has(key))
      throw new HttpInputError('InvalidRequest', `unknown parameter ${key}`, key, {
        location: 'query',
      });
  }
  const rawLimit = query['limit'];
  const limit = rawLimit === undefined ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
    throw new HttpInputError(
      'InvalidRequest',
      `limit must be an integer 1..${MAX_AUDIT_LIMIT}`,
      'limit',
      { location: 'query' },
    );
  }
  const result = query['result'];
  if (result !== undefined && !RESULTS.has(result as AuditResult)) {
    throw new HttpInputError('InvalidRequest', 'result must be grant, deny or error', 'result', {
      location: 'query',
    });
  }
  const from = instant(query, 'from');
  const to = instant(query, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new HttpInputError('InvalidRequest', 'from must not be after to', 'from', {
      location: 'query',
    });
  }
  const filter: AuditFilter = {
    ...optional('subject', param(query, 'subject', /^.{1,2048}$/s, 'a subject (<iss>|<sub>)')),
    ...optional('bindingId', param(query, 'binding', /^[a-z0-9-]{1,64}$/, 'a binding id')),
    ...optional(
      'roleArn',
      param(query, 'roleArn', /^arn:[\w-]+:iam::\d{12}:role\/.{1,512}$/, 'a role ARN'),
    ),
    ...optional('result', result as AuditResult | undefined),
    ...optional('from', from),
    ...optional('to', to),
  };
  const cursor = query['cursor'];
  return { filter, limit, cursor };
}

/** A cursor issued for this very filter, or a 400 naming `cursor`. */
function cursorFor(cursor: string | undefined, filter: AuditFilter): { cursor?: string } {
  if (cursor === undefined) return {};
  if (!isCursorOf(cursor, filter)) {
    throw new HttpInputError('InvalidRequest', 'cursor is not a cursor of this query', 'cursor', {
      location: 'query',
    });
  }
  return { cursor };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The verifier and the reader of the configuration, unless given. */
function ports(
  config: TesseraConfig,
  overrides: Partial<AuditAppDeps>,
  logger: Logger,
): Pick<AuditAppDeps, 'verifier' | 'reader'> {
  const verifier =
    overrides.verifier ??
    (() => {
      const cognito = new CognitoTokenVerifier(config.pools);
      cognito
        .warm()
        .catch((err: unknown) =>
          logger.warn('JWKS not warmed at init', { errorName: (err as Error)?.name }),
        );
      return cognito;
    })();
  const reader =
    overrides.reader ??
    new DynamoAuditReader({
      client: dynamoClientOf(config),
      tableName: config.tables.audit,
    });
  return { verifier, reader };
}

export function createAuditApp(
  config: TesseraConfig,
  overrides: Partial<AuditAppDeps> = {},
): AuditApp {
  const logger = overrides.logger ?? createLogger();
  const { verifier, reader } = ports(config, overrides, logger);
  // The audit readers run as the auditor role, which may read the audit log, not write it: their
  // refusals are in API Gateway's access log.
  const stack = { logger, corsOrigins: config.corsOrigins, jsonBody: false, refusals: null };
  const clock = overrides.clock ?? systemClock;
  let trailSource = overrides.trail;
  const trail = () => {
    trailSource ??= configuredTrailSource(config);
    return trailSource;
  };

  async function caller(event: APIGatewayProxyEventV2) {
    const raw = bearerToken(event);
    if (raw === undefined) throw new TokenError('TokenMissing', 'a bearer token is required');
    return verifier.verify(raw);
  }

  async function administrator(event: APIGatewayProxyEventV2): Promise<void> {
    const token = await caller(event);
    const groups = token.claims['cognito:groups'];
    if (!Array.isArray(groups) || !groups.includes(config.adminGroup))
      throw new AdminRequiredError();
  }

  const audit = httpStack(async (event: APIGatewayProxyEventV2) => {
    await administrator(event);
    const { filter, limit, cursor } = auditQuery(event, PARAMS);
    return json(200, await reader.query({ filter, limit, ...cursorFor(cursor, filter) }));
  }, stack);

  const auditMe = httpStack(async (event: APIGatewayProxyEventV2) => {
    const token = await caller(event);
    const query = auditQuery(event, ME_PARAMS);
    const filter: AuditFilter = {
      ...query.filter,
      subject: subjectOf(token.issuer, token.subject),
      result: 'grant',
    };
    const page = await reader.query({
      filter,
      limit: query.limit,
      ...cursorFor(query.cursor, filter),
    });
    // Your own grants; the evaluator's trace is for administrators.
    const events = page.events.map(({ trace: _trace, ...event }) => event);
    return json(200, { events, ...(page.cursor ? { cursor: page.cursor } : {}) });
  }, stack);

  const auditTrail = httpStack(async (event: APIGatewayProxyEventV2) => {
    await administrator(event);
    auditQuery(event, new Set());
    return json(200, await eventTrail(event, { reader, trail: trail(), now: clock.now() }));
  }, stack);

  const subjectTrail = httpStack(async (event: APIGatewayProxyEventV2) => {
    await administrator(event);
    const query = auditQuery(event, TRAIL_PARAMS);
    const given = event.queryStringParameters?.['limit'] !== undefined;
    const { filter, limit } = subjectTrailQuery(event, {
      filter: query.filter,
      limit: given ? query.limit : undefined,
    });
    const page = await reader.query({ filter, limit, ...cursorFor(query.cursor, filter) });
    const grants = await grantsWithTrails(page.events, trail(), clock.now());
    return json(200, {
      grants,
      coverage: trail().coverage,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
  }, stack);

  return { audit, auditMe, auditTrail, subjectTrail };
}

/** One handler for the audit routes, dispatching on `event.routeKey`. */
export function auditDispatcher(app: AuditApp): HttpHandler {
  const byRouteKey = new Map<string, HttpHandler>();
  for (const route of routes) {
    if (route.function === 'audit')
      byRouteKey.set(routeKey(route), app[route.handler as AuditHandlerName]);
  }
  return (event, context) => {
    const handler = byRouteKey.get(event.routeKey);
    if (!handler) throw new HttpInputError('RouteNotFound', `no audit route ${event.routeKey}`);
    return handler(event, context);
  };
}

/** The Lambda handler of the `audit` function. */
export function auditLambdaHandler(
  env: Record<string, string | undefined> = process.env,
): HttpHandler {
  return configuredHandler(
    (config, logger) => auditDispatcher(createAuditApp(config, { logger })),
    env,
  );
}
