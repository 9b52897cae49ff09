/**
 * The audit log read side: runs the plan of audit-query.ts with DynamoDB Query only (the table's
 * key for a subject, the byUsername / byBinding / byRole / byResultDay / byDay indexes otherwise;
 * one event by the byEventId index), newest first,
 * skipping expired events (TTL deletes lazily). Each page reads `limit + 1` matching events so the
 * last page carries no cursor.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../audit.js';
import {
  type AuditPage,
  type AuditPlan,
  type AuditQuery,
  type AuditReader,
  auditPlan,
  type CursorState,
  DEFAULT_AUDIT_WINDOW_DAYS,
  daysBetween,
  decodeCursor,
  encodeCursor,
  filterFingerprint,
  isCursorOf,
} from '../audit-query.js';
import { type Clock, systemClock } from '../clock.js';
import { StoreError } from '../errors.js';
import type { GrantHistory } from '../ports.js';
import { auditTable } from './dynamodb-schema.js';

export interface DynamoAuditReaderOptions {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock?: Clock;
}

interface Partition {
  readonly index: string | undefined;
  readonly keyName: string;
  readonly keyValue: string;
}

const INTERNAL = new Set(['time', 'day', 'resultDay', 'traceTruncated']);

export class DynamoAuditReader implements AuditReader, GrantHistory {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(options: DynamoAuditReaderOptions) {
    this.#doc =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client);
    this.#table = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    const { filter, limit } = query;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, filter);
    const plan = auditPlan(filter);
    if (query.cursor !== undefined && !isCursorOf(query.cursor, filter)) {
      // Callers check with isCursorOf first (an HTTP 400); reaching here is a caller's bug.
      throw new TypeError('the cursor is not a cursor of this query');
    }
    const now = this.#clock.now();
    const to = filter.to ?? now.toISOString();
    const from =
      filter.from ??
      (plan.by === 'day' || plan.by === 'resultDay'
        ? new Date(Date.parse(to) - DEFAULT_AUDIT_WINDOW_DAYS * 86_400_000).toISOString()
        : undefined);
    const upper = cursor ? cursor.at : `${to}~`;
    const partitions = this.#partitions(plan, from, cursor ? cursor.at.slice(0, 10) : to);
    const found: Record<string, unknown>[] = [];
    for (const partition of partitions) {
      await this.#collect(
        partition,
        { from, upper, cursor, now, filter },
        limit + 1 - found.length,
        found,
      );
      if (found.length > limit) break;
    }
    const events = found.slice(0, limit).map(toEvent);
    const last = found.length > limit ? found[limit - 1] : undefined;
    return {
      events,
      ...(last
        ? {
            cursor: encodeCursor({
              f: filterFingerprint(filter),
              at: String(last[auditTable.sortKey]),
              subject: String(last[auditTable.partitionKey]),
            }),
          }
        : {}),
    };
  }

  async byEventId(eventId: string): Promise<AuditEvent | undefined> {
    const index = auditTable.byEventIdIndex;
    try {
      const page = await this.#doc.send(
        new QueryCommand({
          TableName: this.#table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :id',
          FilterExpression: '#exp > :now',
          ExpressionAttributeNames: { '#pk': index.partitionKey, '#exp': auditTable.ttlAttribute },
          ExpressionAttributeValues: {
            ':id': eventId,
            ':now': Math.floor(this.#clock.now().getTime() / 1000),
          },
        }),
      );
      const item = page.Items?.[0];
      return item ? toEvent(item) : undefined;
    } catch (err) {
      throw new StoreError('AuditUnavailable', 'the audit log is unavailable', { cause: err });
    }
  }

  /**
   * The subject's partition, newest first from now down to `since`, grants of credentials only
   * (vend, console), projected to the binding id and time; stops once every binding is found.
   */
  async lastGrants(
    subject: string,
    bindingIds: readonly string[],
    since: string,
  ): Promise<ReadonlyMap<string, string>> {
    const wanted = new Set(bindingIds);
    const found = new Map<string, string>();
    if (wanted.size === 0) return found;
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    try {
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: '#pk = :pk AND #sk >= :since',
            FilterExpression: '#res = :grant AND #act IN (:vend, :console) AND #exp > :now',
            ProjectionExpression: '#b, #time',
            ExpressionAttributeNames: {
              '#pk': auditTable.partitionKey,
              '#sk': auditTable.sortKey,
              '#res': 'result',
              '#act': 'action',
              '#exp': auditTable.ttlAttribute,
              '#b': 'bindingId',
              '#time': 'time',
            },
            ExpressionAttributeValues: {
              ':pk': subject,
              ':since': since,
              ':grant': 'grant',
              ':vend': 'vend',
              ':console': 'console',
              ':now': Math.floor(this.#clock.now().getTime() / 1000),
            },
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const id = item['bindingId'];
          if (typeof id === 'string' && wanted.has(id) && !found.has(id)) {
            found.set(id, String(item['time']));
          }
        }
        startKey = found.size < wanted.size ? page.LastEvaluatedKey : undefined;
      } while (startKey);
    } catch (err) {
      throw new StoreError('AuditUnavailable', 'the audit log is unavailable', { cause: err });
    }
    return found;
  }

  #partitions(plan: AuditPlan, from: string | undefined, newest: string): Partition[] {
    const t = auditTable;
    switch (plan.by) {
      case 'subject':
        return [{ index: undefined, keyName: t.partitionKey, keyValue: plan.value }];
      case 'username':
        return [
          {
            index: t.byUsernameIndex.name,
            keyName: t.byUsernameIndex.partitionKey,
            keyValue: plan.value,
          },
        ];
      case 'binding':
        return [
          {
            index: t.byBindingIndex.name,
            keyName: t.byBindingIndex.partitionKey,
            keyValue: plan.value,
          },
        ];
      case 'role':
        return [
          { index: t.byRoleIndex.name, keyName: t.byRoleIndex.partitionKey, keyValue: plan.value },
        ];
      case 'resultDay':
        return daysBetween(from ?? newest, newest).map((day) => ({
          index: t.byResultDayIndex.name,
          keyName: t.byResultDayIndex.partitionKey,
          keyValue: `${plan.value}#${day}`,
        }));
      case 'day':
        return daysBetween(from ?? newest, newest).map((day) => ({
          index: t.byDayIndex.name,
          keyName: t.byDayIndex.partitionKey,
          keyValue: day,
        }));
    }
  }

  /** Queries one partition newest first until `wanted` matching events are found or it ends. */
  async #collect(
    partition: Partition,
    range: {
      from: string | undefined;
      upper: string;
      cursor: CursorState | undefined;
      now: Date;
      filter: AuditQuery['filter'];
    },
    wanted: number,
    found: Record<string, unknown>[],
  ): Promise<void> {
    const names: Record<string, string> = {
      '#pk': partition.keyName,
      '#sk': auditTable.sortKey,
      '#exp': auditTable.ttlAttribute,
    };
    const values: Record<string, unknown> = {
      ':pk': partition.keyValue,
      ':upper': range.upper,
      ':now': Math.floor(range.now.getTime() / 1000),
    };
    // From the top of the range (or the cursor's event, skipped below) down to `from`.
    let keyCondition = range.cursor ? '#pk = :pk AND #sk < :upper' : '#pk = :pk AND #sk <= :upper';
    if (range.from !== undefined) {
      keyCondition = '#pk = :pk AND #sk BETWEEN :from AND :upper';
      values[':from'] = range.from;
    }
    const filters = ['#exp > :now'];
    const narrow = (attribute: string, value: string | undefined, name: string) => {
      if (value === undefined || attribute === partition.keyName) return;
      names[`#${name}`] = attribute;
      values[`:${name}`] = value;
      filters.push(`#${name} = :${name}`);
    };
    narrow('username', range.filter.username, 'u');
    narrow('bindingId', range.filter.bindingId, 'b');
    narrow('roleArn', range.filter.roleArn, 'r');
    narrow('result', range.filter.result, 'res');
    if (range.filter.vendedOnly) {
      names['#key'] = 'accessKeyId';
      filters.push('attribute_exists(#key)');
    }
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    const target = found.length + wanted;
    try {
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: partition.index,
            KeyConditionExpression: keyCondition,
            FilterExpression: filters.join(' AND '),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            Limit: target - found.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          // BETWEEN is inclusive at the top: the cursor's own event is skipped here.
          if (range.cursor && item[auditTable.sortKey] === range.cursor.at) continue;
          found.push(item);
          if (found.length >= target) return;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    } catch (err) {
      throw new StoreError('AuditUnavailable', 'the audit log is unavailable', { cause: err });
    }
  }
}

function toEvent(item: Record<string, unknown>): AuditEvent {
  const event: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!INTERNAL.has(k)) event[k] = v;
  event['at'] = String(item['time']);
  return event as unknown as AuditEvent;
}
