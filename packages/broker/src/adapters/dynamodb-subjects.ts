/**
 * The subjects table through `@aws-sdk/lib-dynamodb` (layout in dynamodb-schema.ts): one
 * unconditional PutItem per recorded vend (the last one wins), and Query pages of one pool's
 * subjects by `sub`, skipping expired records (TTL deletes lazily). Never a Scan.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { type Clock, systemClock } from '../clock.js';
import { StoreError } from '../errors.js';
import type { SubjectStore } from '../ports.js';
import {
  decodeSubjectCursor,
  encodeSubjectCursor,
  type SubjectPage,
  type SubjectRecord,
} from '../subjects.js';
import { subjectsTable } from './dynamodb-schema.js';

export interface DynamoSubjectStoreOptions {
  readonly client: DynamoDBClient | DynamoDBDocumentClient;
  readonly tableName: string;
  readonly clock?: Clock;
}

const RESULTS = new Set(['grant', 'deny', 'error']);
const ACTIONS = new Set(['vend', 'console']);

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** A stored item as a record; undefined when it is not one (skipped: it re-evaluates nothing). */
function recordOf(item: Record<string, unknown>): SubjectRecord | undefined {
  const claims = item['claims'];
  const issuer = text(item['issuer']);
  const sub = text(item['sub']);
  const result = text(item['lastResult']);
  const action = text(item['lastAction']);
  const tokenUse = item['tokenUse'];
  if (
    issuer === undefined ||
    sub === undefined ||
    typeof claims !== 'object' ||
    claims === null ||
    Array.isArray(claims) ||
    (tokenUse !== 'id' && tokenUse !== 'access') ||
    !RESULTS.has(result ?? '') ||
    !ACTIONS.has(action ?? '') ||
    typeof item['expiresAt'] !== 'number'
  ) {
    return undefined;
  }
  const dropped = item['droppedClaims'];
  return {
    issuer,
    sub,
    username: text(item['username']),
    userPoolId: text(item['userPoolId']) ?? '',
    clientId: text(item['clientId']) ?? '',
    tokenUse,
    claims: claims as SubjectRecord['claims'],
    droppedClaims: Array.isArray(dropped) ? dropped.filter((d) => typeof d === 'string') : [],
    sourceIp: text(item['sourceIp']) ?? '',
    userAgent: text(item['userAgent']) ?? '',
    secureTransport: item['secureTransport'] === true,
    lastSeenAt: text(item['lastSeenAt']) ?? '',
    lastAction: action as SubjectRecord['lastAction'],
    lastResult: result as SubjectRecord['lastResult'],
    lastBindingId: text(item['lastBindingId']),
    expiresAt: item['expiresAt'],
  };
}

export class DynamoSubjectStore implements SubjectStore {
  readonly #doc: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;

  constructor(options: DynamoSubjectStoreOptions) {
    this.#doc =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client, {
            marshallOptions: { removeUndefinedValues: true },
          });
    this.#table = options.tableName;
    this.#clock = options.clock ?? systemClock;
  }

  async record(subject: SubjectRecord): Promise<void> {
    try {
      await this.#doc.send(new PutCommand({ TableName: this.#table, Item: { ...subject } }));
    } catch (err) {
      throw new StoreError('StoreUnavailable', 'the subjects table is unavailable', { cause: err });
    }
  }

  isCursorOf(cursor: string, issuer: string): boolean {
    return decodeSubjectCursor(cursor, issuer) !== undefined;
  }

  async page(issuer: string, options: { limit: number; cursor?: string }): Promise<SubjectPage> {
    const after = options.cursor === undefined ? '' : decodeSubjectCursor(options.cursor, issuer);
    if (after === undefined) throw new TypeError('the cursor is not a cursor of this issuer');
    const found: SubjectRecord[] = [];
    const first = after === '';
    // DynamoDB refuses names and values an expression does not use.
    const names: Record<string, string> = {
      '#pk': subjectsTable.partitionKey,
      '#exp': subjectsTable.ttlAttribute,
      ...(first ? {} : { '#sk': subjectsTable.sortKey }),
    };
    const values: Record<string, unknown> = {
      ':pk': issuer,
      ':now': Math.floor(this.#clock.now().getTime() / 1000),
      ...(first ? {} : { ':after': after }),
    };
    let startKey: QueryCommandInput['ExclusiveStartKey'];
    try {
      do {
        const page = await this.#doc.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: first ? '#pk = :pk' : '#pk = :pk AND #sk > :after',
            FilterExpression: '#exp > :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            Limit: options.limit + 1 - found.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const record = recordOf(item);
          if (record) found.push(record);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey && found.length <= options.limit);
    } catch (err) {
      throw new StoreError('StoreUnavailable', 'the subjects table is unavailable', { cause: err });
    }
    const subjects = found.slice(0, options.limit);
    const last = subjects[subjects.length - 1];
    return {
      subjects,
      ...(found.length > options.limit && last
        ? { cursor: encodeSubjectCursor(issuer, last.sub) }
        : {}),
    };
  }
}
