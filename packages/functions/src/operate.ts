/**
 * The vend app's operator routes over the broker: `POST /v1/simulate` (a dry run, explained) and
 * `POST /v1/console` (a vend, then a console sign-in link). Thin: bodies are checked for shape
 * here; decisions are the broker's.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type Binding,
  type BindingStore,
  type Broker,
  type Claims,
  parseChecks,
  simulatedDecision,
  simulationAnswer,
  type TokenVerifier,
  type VerifiedToken,
} from '@tessera/broker';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TesseraConfig } from './config.js';
import { consoleDestination, consoleSigninUrl } from './console-link.js';
import { granted, HttpInputError } from './errors.js';
import { bearerToken, type HttpHandler, httpStack, json, requestOrigin } from './http.js';

const SIMULATE_FIELDS = new Set([
  'role',
  'durationSeconds',
  'policy',
  'claims',
  'sourceIp',
  'check',
]);
const CONSOLE_FIELDS = new Set(['role', 'durationSeconds', 'destination']);
const MAX_CLAIMS_CHARS = 8192;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]{2,39}$/;

function objectBody(body: unknown, fields: Set<string>): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpInputError('InvalidRequest', 'the body must be a JSON object', '');
  }
  const record = body as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!fields.has(key))
      throw new HttpInputError('InvalidRequest', `unknown field ${key}`, `/${key}`);
  }
  if (typeof record['role'] !== 'string' || record['role'] === '') {
    throw new HttpInputError(
      'InvalidRequest',
      'role is required: a binding id or a role ARN',
      '/role',
    );
  }
  return record;
}

/** Replacement claims: a small object of scalar or scalar-array values. */
function claimsOf(raw: unknown): Claims | undefined {
  if (raw === undefined) return undefined;
  const scalar = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
  const ok =
    typeof raw === 'object' &&
    raw !== null &&
    !Array.isArray(raw) &&
    JSON.stringify(raw).length <= MAX_CLAIMS_CHARS &&
    Object.values(raw).every((v) => scalar(v) || (Array.isArray(v) && v.every(scalar)));
  if (!ok) {
    throw new HttpInputError(
      'InvalidRequest',
      `claims must be an object of claim -> string, number, boolean or array of them (at most ${MAX_CLAIMS_CHARS} characters)`,
      '/claims',
    );
  }
  return raw as Claims;
}

function isAdmin(token: VerifiedToken, group: string): boolean {
  const groups = token.claims['cognito:groups'];
  return Array.isArray(groups) && groups.includes(group);
}

/** What simulate needs beyond the broker: the verifier and the (cached) binding store. */
export interface SimulateDeps {
  readonly verifier: TokenVerifier;
  readonly bindings: BindingStore;
}

/** The binding a simulated decision names, from the caller's pool (the store's cached read). */
async function namedBinding(
  deps: SimulateDeps,
  issuer: string,
  bindingId: string | undefined,
): Promise<Binding | undefined> {
  if (bindingId === undefined) return undefined;
  return (await deps.bindings.listByIssuer(issuer)).find((b) => b.id === bindingId);
}

export function simulateHandler(
  broker: Broker,
  deps: SimulateDeps,
  config: TesseraConfig,
  stack: { logger: Logger; corsOrigins: readonly string[] },
): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const body = objectBody(event.body as unknown, SIMULATE_FIELDS);
      const checks = parseChecks(body['check']);
      if (!checks.ok) throw new HttpInputError('InvalidRequest', checks.message, checks.field);
      const sourceIp = body['sourceIp'];
      if (
        sourceIp !== undefined &&
        (typeof sourceIp !== 'string' || !(IPV4.test(sourceIp) || IPV6.test(sourceIp)))
      ) {
        throw new HttpInputError(
          'InvalidRequest',
          'sourceIp must be an IPv4 or IPv6 address',
          '/sourceIp',
        );
      }
      const origin = requestOrigin(event);
      const rawToken = bearerToken(event);
      const claims = claimsOf(body['claims']);
      const outcome = await broker.simulate({
        rawToken,
        role: body['role'] as string,
        durationSeconds: body['durationSeconds'],
        policy: body['policy'],
        ...(claims === undefined ? {} : { claims }),
        origin: sourceIp === undefined ? origin : { ...origin, sourceIp },
      });
      const decision = simulatedDecision(outcome);
      // A bad token, a bad request, an administrator-only override, a store failure: as a vend.
      if (decision === undefined) granted(outcome);
      // The broker verified this token a moment ago: who asked, and in which pool.
      const caller = await deps.verifier.verify(rawToken ?? '');
      const binding = await namedBinding(deps, caller.issuer, decision!.bindingId);
      return json(
        200,
        simulationAnswer({
          decision: decision!,
          binding,
          audience: isAdmin(caller, config.adminGroup) ? 'admin' : 'self',
          checks: checks.checks,
        }),
      );
    },
    { ...stack, jsonBody: true, refusals: { recorder: broker, action: 'simulate' } },
  );
}

export function consoleHandler(
  broker: Broker,
  config: TesseraConfig,
  stack: { logger: Logger; corsOrigins: readonly string[] },
  fetchImpl?: typeof fetch,
): HttpHandler {
  return httpStack(
    async (event: APIGatewayProxyEventV2) => {
      const body = objectBody(event.body as unknown, CONSOLE_FIELDS);
      const destination = consoleDestination(config.console, body['destination']);
      const result = granted(
        await broker.vend({
          rawToken: bearerToken(event),
          role: body['role'] as string,
          durationSeconds: body['durationSeconds'],
          origin: requestOrigin(event),
          purpose: 'console',
        }),
      );
      const url = await consoleSigninUrl(
        {
          config: config.console,
          roleChaining: result.vendor === 'assume-role' && config.roleChainingCap,
          ...(fetchImpl ? { fetch: fetchImpl } : {}),
        },
        result.credentials,
        result.durationSeconds,
        destination,
      );
      stack.logger.info('console link issued', {
        bindingId: result.bindingId,
        roleArn: result.roleArn,
        accessKeyId: result.credentials.accessKeyId,
      });
      return json(200, { url, expiresAt: result.credentials.expiration, roleArn: result.roleArn });
    },
    { ...stack, jsonBody: true, refusals: { recorder: broker, action: 'console' } },
  );
}
