/**
 * DynamoDB adapters: the binding store and the audit sink, through `@aws-sdk/lib-dynamodb`, by the
 * table layout in dynamodb-schema.ts. Only conditional single-item writes (PutItem / DeleteItem
 * with a ConditionExpression), never TransactWriteItems, so dynalite, DynamoDB Local and DynamoDB
 * behave the same.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit.js';
import { parseBinding } from '../binding.js';
import { type Clock, systemClock } from '../clock.js';
import { BindingError, type FieldIssue, RevocationError, StoreError } from '../errors.js';
import type { AuditSink, BindingStore, PoolSnapshot, RevocationStore } from '../ports.js';
import { parseRevocation, type Revocation } from '../schema/revocation.js';
import type { Binding } from '../types.js';
import { auditTable, bindingsTable } from './dynamodb-schema.js';

function documentClient(client: DynamoDBClient | DynamoDBDocumentClient): DynamoDBDocumentClient {
  return client instanceof DynamoDBDocumentClient
    ? client
    : DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

function unavailable(code: 'StoreUnavailable' | 'AuditUnavailable', err: unknown): StoreError {
  return new StoreError(
    code,
    code === 'StoreUnavailable'
      ? 'the binding store is unavailable'
      : 'the audit log is unavailable',
    {
      cause: err,
    },
  );
}

export interface DynamoBindingStoreOptions {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  /** How long one issuer's bindings are served from memory. Default 30 s; 0 disables the cache. */
  readonly cacheSeconds?: number;
  readonly clock?: Clock;
  /** Told about a stored item that does not parse as a binding (it is skipped: it grants nothing). */
  readonly onInvalid?: (
    item: { issuer: unknown; id: unknown },
    issues: readonly FieldIssue[],
  ) => void;
  /** Items per Query page (`Limit`); default none: DynamoDB's 1 MB pages. */
  readonly pageSize?: number;
}

/**
 * The binding store (and the revocation store: revocations share the pool's partition). Reads of
 * one issuer are cached:
 * - key: the issuer URL (one user pool);
 * - value: the promise of that issuer's parsed bindings and revocations (so concurrent misses
 *   share one Query: single flight; a failed load is dropped at once, never cached);
 * - TTL: `cacheSeconds` (default 30 s), measured from the load;
 * - why: a vend must not pay a DynamoDB Query per request on the warm path, and a binding change
 *   reaching every warm function within seconds is soon enough (a revocation too: the answer
 *   states this TTL as its longest delay); this function's own writes drop the issuer's entry at
 *   once, and `refresh` drops it on demand.
 */
export class DynamoBindingStore implements BindingStore, RevocationStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #onInvalid: DynamoBindingStoreOptions['onInvalid'];
  readonly #pageSize: number | undefined;
  readonly #cache = new Map<string, { loadedAt: number; value: Promise<PoolSnapshot> }>();

  constructor(options: DynamoBindingStoreOptions) {
    this.#doc = documentClient(options.client);
    this.#table = options.tableName;
    this.#ttlMs = (options.cacheSeconds ?? 30) * 1000;
    this.#clock = options.clock ?? systemClock;
    this.#onInvalid = options.onInvalid;
    this.#pageSize = options.pageSize;
  }

  async listByIssuer(issuer: string): Promise<readonly Binding[]> {
    return (await this.loadPool(issuer)).bindings;
  }

  refresh(issuer: string): void {
    this.#cache.delete(issuer);
  }

  loadPool(issuer: string): Promise<PoolSnapshot> {
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(issuer);
    if (cached && now - cached.loadedAt < this.#ttlMs) return cached.value;
    const value = this.#query(issuer);
    if (this.#ttlMs > 0) {
      this.#cache.set(issuer, { loadedAt: now, value });
      value.catch(() => {
        if (this.#cache.get(issuer)?.value === value) this.#cache.delete(issuer);
      });
    }
    return value;
  }

  async #query(issuer: string): Promise<PoolSnapshot> {
    const bindings: Binding[] = [];
    const revocations: Revocation[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    try {
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: '#pk = :issuer',
            ExpressionAttributeNames: { '#pk': bindingsTable.partitionKey },
            ExpressionAttributeValues: { ':issuer': issuer },
            ExclusiveStartKey: startKey,
            Limit: this.#pageSize,
          }),
        );
        for (const item of page.Items ?? []) {
          if (isRevocationItem(item)) {
            revocations.push(revocationOf(item));
            continue;
          }
          const binding = this.#parse(item);
          if (binding) bindings.push(binding);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (err) {
      throw unavailable('StoreUnavailable', err);
    }
    return { bindings, revocations };
  }

  #parse(item: Record<string, unknown>): Binding | undefined {
    try {
      return parseBinding(item).binding;
    } catch (err) {
      if (err instanceof BindingError) {
        this.#onInvalid?.({ issuer: item['issuer'], id: item['id'] }, err.issues);
        return undefined;
      }
      throw err;
    }
  }

  async addRevocation(revocation: Revocation): Promise<void> {
    try {
      await writeRevocation(this.#doc, this.#table, revocation, 'create');
    } finally {
      this.#cache.delete(revocation.issuer);
    }
  }

  async liftRevocation(issuer: string, id: string, liftedAt: string, liftedBy: string) {
    try {
      const out = await this.#doc.send(
        new GetCommand({
          TableName: this.#table,
          Key: {
            [bindingsTable.partitionKey]: issuer,
            [bindingsTable.sortKey]: `${REVOCATION}${id}`,
          },
          ConsistentRead: true,
        }),
      );
      if (!out.Item || out.Item['liftedAt'] !== undefined) {
        throw new RevocationError('RevocationNotFound', `no active revocation ${id}`);
      }
      const stored = revocationOf(out.Item);
      await writeRevocation(this.#doc, this.#table, { ...stored, liftedAt, liftedBy }, 'lift');
    } catch (err) {
      if (err instanceof RevocationError || err instanceof StoreError) throw err;
      throw unavailable('StoreUnavailable', err);
    } finally {
      this.#cache.delete(issuer);
    }
  }

  async forgetRevocation(issuer: string, id: string): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: {
            [bindingsTable.partitionKey]: issuer,
            [bindingsTable.sortKey]: `${REVOCATION}${id}`,
          },
        }),
      );
    } catch (err) {
      throw unavailable('StoreUnavailable', err);
    } finally {
      this.#cache.delete(issuer);
    }
  }

  async get(issuer: string, id: string): Promise<Binding | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.#doc.send(
        new GetCommand({
          TableName: this.#table,
          Key: { [bindingsTable.partitionKey]: issuer, [bindingsTable.sortKey]: id },
          ConsistentRead: true,
        }),
      );
      item = out.Item;
    } catch (err) {
      throw unavailable('StoreUnavailable', err);
    }
    return item ? parseBinding(item).binding : undefined;
  }

  async put(binding: Binding): Promise<void> {
    const first = binding.version === 1;
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: { ...binding },
          ConditionExpression: first ? 'attribute_not_exists(#pk)' : '#v = :previous',
          ExpressionAttributeNames: first
            ? { '#pk': bindingsTable.partitionKey }
            : { '#v': 'version' },
          ExpressionAttributeValues: first ? undefined : { ':previous': binding.version - 1 },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw first
          ? new BindingError('BindingExists', `binding ${binding.id} already exists`)
          : new BindingError(
              'BindingVersionConflict',
              `binding ${binding.id} was changed since version ${binding.version - 1}`,
            );
      }
      throw unavailable('StoreUnavailable', err);
    } finally {
      this.#cache.delete(binding.issuer);
    }
  }

  async delete(issuer: string, id: string, version: number): Promise<void> {
    try {
      await this.#doc.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: { [bindingsTable.partitionKey]: issuer, [bindingsTable.sortKey]: id },
          ConditionExpression: 'attribute_exists(#pk) AND #v = :version',
          ExpressionAttributeNames: { '#pk': bindingsTable.partitionKey, '#v': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        const current = await this.get(issuer, id);
        throw current
          ? new BindingError(
              'BindingVersionConflict',
              `binding ${id} is at version ${current.version}`,
            )
          : new BindingError('BindingNotFound', `binding ${id} does not exist`);
      }
      throw unavailable('StoreUnavailable', err);
    } finally {
      this.#cache.delete(issuer);
    }
  }
}

const REVOCATION = bindingsTable.revocationPrefix;

function isRevocationItem(item: Record<string, unknown>): boolean {
  const sk = item[bindingsTable.sortKey];
  return typeof sk === 'string' && sk.startsWith(REVOCATION);
}

/** A stored revocation; one that does not parse fails the load (never a silent un-revoke). */
function revocationOf(item: Record<string, unknown>): Revocation {
  const { [bindingsTable.partitionKey]: issuer, [bindingsTable.sortKey]: sk, ...rest } = item;
  const parsed = parseRevocation({ ...rest, issuer, id: String(sk).slice(REVOCATION.length) });
  if (!parsed.ok) {
    const where = parsed.problems.map((p) => `${p.pointer} ${p.code}`).join(', ');
    throw new Error(`stored revocation ${String(sk)} does not parse: ${where}`);
  }
  return parsed.value;
}

function revocationItem(revocation: Revocation): Record<string, unknown> {
  const { id, issuer, ...rest } = revocation;
  return {
    ...rest,
    [bindingsTable.partitionKey]: issuer,
    [bindingsTable.sortKey]: `${REVOCATION}${id}`,
  };
}

/** Revocation writes of the DynamoDB store: conditional single-item puts and deletes. */
async function writeRevocation(
  doc: DynamoDBDocumentClient,
  table: string,
  revocation: Revocation,
  mode: 'create' | 'lift',
): Promise<void> {
  try {
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: revocationItem(revocation),
        ConditionExpression:
          mode === 'create'
            ? 'attribute_not_exists(#pk)'
            : 'attribute_exists(#pk) AND attribute_not_exists(#lifted)',
        ExpressionAttributeNames:
          mode === 'create'
            ? { '#pk': bindingsTable.partitionKey }
            : { '#pk': bindingsTable.partitionKey, '#lifted': 'liftedAt' },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      throw new RevocationError(
        'RevocationNotFound',
        mode === 'create'
          ? `revocation ${revocation.id} exists`
          : `revocation ${revocation.id} does not exist or is already lifted`,
      );
    }
    throw unavailable('StoreUnavailable', err);
  }
}

export interface DynamoAuditSinkOptions {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock?: Clock;
}

export interface AuditQuery {
  readonly limit?: number;
}

/** The audit log: one item per event, never overwritten; reads skip expired items (TTL is lazy). */
export class DynamoAuditSink implements AuditSink {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(options: DynamoAuditSinkOptions) {
    this.#doc = documentClient(options.client);
    this.#table = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async write(event: AuditEvent): Promise<void> {
    // The event is storable as it comes (storableEvent bounded it: the broker's exit and the
    // admin audit both build events through it).
    const item: Record<string, unknown> = {
      ...event,
      time: event.at,
      [auditTable.sortKey]: `${event.at}#${event.eventId}`,
      day: event.at.slice(0, 10),
      [auditTable.byResultDayIndex.partitionKey]: `${event.result}#${event.at.slice(0, 10)}`,
    };
    // An index key may not be empty: an empty username (a token may say so) is left out, as absent.
    if (item[auditTable.byUsernameIndex.partitionKey] === '') {
      delete item[auditTable.byUsernameIndex.partitionKey];
    }
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': auditTable.partitionKey },
        }),
      );
    } catch (err) {
      throw unavailable('AuditUnavailable', err);
    }
  }

  /** Events of one subject (`<iss>|<sub>` or `anonymous`), newest first, unexpired only. */
  listBySubject(subject: string, query: AuditQuery = {}): Promise<AuditEvent[]> {
    return this.#query(
      {
        KeyConditionExpression: '#pk = :key',
        ExpressionAttributeNames: { '#pk': auditTable.partitionKey },
        ExpressionAttributeValues: { ':key': subject },
      },
      query,
    );
  }

  /** Events for one role ARN, newest first, unexpired only. */
  listByRole(roleArn: string, query: AuditQuery = {}): Promise<AuditEvent[]> {
    return this.#query(
      {
        IndexName: auditTable.byRoleIndex.name,
        KeyConditionExpression: '#pk = :key',
        ExpressionAttributeNames: { '#pk': auditTable.byRoleIndex.partitionKey },
        ExpressionAttributeValues: { ':key': roleArn },
      },
      query,
    );
  }

  async #query(
    input: Pick<
      QueryCommandInput,
      | 'IndexName'
      | 'KeyConditionExpression'
      | 'ExpressionAttributeNames'
      | 'ExpressionAttributeValues'
    >,
    query: AuditQuery,
  ): Promise<AuditEvent[]> {
    const limit = query.limit ?? 100;
    const now = Math.floor(this.#clock.now().getTime() / 1000);
    const events: AuditEvent[] = [];
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    try {
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            ...input,
            FilterExpression: '#exp > :now',
            ExpressionAttributeNames: {
              ...input.ExpressionAttributeNames,
              '#exp': auditTable.ttlAttribute,
            },
            ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ':now': now },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const { time, day: _day, ...rest } = item;
          events.push({ ...(rest as AuditEvent), at: String(time) });
          if (events.length >= limit) return events;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (err) {
      throw unavailable('AuditUnavailable', err);
    }
    return events;
  }
}
