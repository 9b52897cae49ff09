/**
 * The ports both applications (vend: app.ts, binding admin: admin-app.ts) are wired to: the clock,
 * one DynamoDB client created at first use, the Cognito verifier with its JWKS warmed at init, the
 * binding store and the audit sink. An override replaces a port (local stack, tests).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type AuditSink,
  type BindingStore,
  type Clock,
  type SubjectStore,
  systemClock,
  type TokenVerifier,
} from '@tessera/broker';
import {
  CognitoTokenVerifier,
  DynamoAuditSink,
  DynamoBindingStore,
  DynamoSubjectStore,
} from '@tessera/broker/aws';
import type { TesseraConfig } from './config.js';

export interface SharedDeps {
  readonly verifier: TokenVerifier;
  readonly bindings: BindingStore;
  readonly audit: AuditSink;
  /** The subjects table; null when the configuration names none (`tables.subjects: null`). */
  readonly subjects: SubjectStore | null;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SharedWiring extends SharedDeps {
  /** The one DynamoDB client of this app, created at first use. */
  readonly dynamoClient: () => DynamoDBClient;
}

function warmedVerifier(config: TesseraConfig, logger: Logger): TokenVerifier {
  const cognito = new CognitoTokenVerifier(config.pools);
  cognito
    .warm()
    .catch((err: unknown) =>
      logger.warn('JWKS not warmed at init', { errorName: (err as Error)?.name }),
    );
  return cognito;
}

/** A DynamoDB client of this configuration: its endpoint, credentials and per-attempt timeout. */
export function dynamoClientOf(config: TesseraConfig): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    endpoint: config.endpoints?.dynamodb,
    credentials: config.credentials,
    requestHandler: {
      connectionTimeout: config.storeTimeoutMs,
      requestTimeout: config.storeTimeoutMs,
      // without it the handler only warns and keeps waiting
      throwOnRequestTimeout: true,
    },
  });
}

/**
 * The binding store of this configuration (bindings and revocations of a pool, cached
 * `cacheSeconds`); a stored binding that does not parse is logged and grants nothing. The local
 * stack builds the vend functions' store with it, to hand the admin routes its cache.
 */
export function bindingStoreOf(
  config: TesseraConfig,
  logger: Logger,
  client: DynamoDBClient,
  options: { readonly cacheSeconds: number; readonly clock?: Clock },
): DynamoBindingStore {
  return new DynamoBindingStore({
    client,
    tableName: config.tables.bindings,
    cacheSeconds: options.cacheSeconds,
    clock: options.clock ?? systemClock,
    onInvalid: (item, issues) =>
      logger.error('stored binding is invalid; it grants nothing', {
        bindingId: String(item.id),
        issues: issues.map((i) => `${i.field}: ${i.code}`),
      }),
  });
}

export function sharedDeps(
  config: TesseraConfig,
  logger: Logger,
  overrides: Partial<SharedDeps>,
  options: { readonly bindingsCacheSeconds: number },
): SharedWiring {
  const clock = overrides.clock ?? systemClock;
  let dynamo: DynamoDBClient | undefined;
  const dynamoClient = () => {
    dynamo ??= dynamoClientOf(config);
    return dynamo;
  };
  return {
    clock,
    logger,
    dynamoClient,
    verifier: overrides.verifier ?? warmedVerifier(config, logger),
    bindings:
      overrides.bindings ??
      bindingStoreOf(config, logger, dynamoClient(), {
        cacheSeconds: options.bindingsCacheSeconds,
        clock,
      }),
    audit:
      overrides.audit ??
      new DynamoAuditSink({ client: dynamoClient(), tableName: config.tables.audit, clock }),
    subjects: subjectStore(config, overrides, dynamoClient, clock),
  };
}

function subjectStore(
  config: TesseraConfig,
  overrides: Partial<SharedDeps>,
  dynamoClient: () => DynamoDBClient,
  clock: Clock,
): SubjectStore | null {
  if (overrides.subjects !== undefined) return overrides.subjects;
  const table = config.tables.subjects;
  return table === null
    ? null
    : new DynamoSubjectStore({ client: dynamoClient(), tableName: table, clock });
}
