/**
 * The bindings and audit tables, declared from the broker's schema constants (the adapter reads and
 * writes by the same names). Production keeps its data whatever happens to the stack: deletion
 * protection on the table, retain-on-delete and Pulumi `protect` on the resources, and
 * point-in-time recovery on the bindings and audit tables (not on the subjects table: personal
 * data kept only for its retention window). The bindings table also holds each pool's revocations
 * (the kill switch), in the pool's partition under sort keys `revocation#<uuid>`: same keys, no new
 * index (they appear in `byId` under those keys, which no binding id can equal).
 */
import {
  auditTable,
  bindingsTable,
  subjectsTable,
} from '../packages/broker/src/adapters/dynamodb-schema.js';
import type { Stage } from './config.js';
import { tableName } from './naming.js';

export interface Tables {
  readonly bindings: sst.aws.Dynamo;
  readonly audit: sst.aws.Dynamo;
  /** Each subject's last vend context: personal data, deleted by its TTL (retention window). */
  readonly subjects: sst.aws.Dynamo;
}

export function createTables(stage: Stage): Tables {
  return {
    bindings: new sst.aws.Dynamo('Bindings', bindingsArgs(stage), dataOptions(stage)),
    audit: new sst.aws.Dynamo('Audit', auditArgs(stage), dataOptions(stage)),
    subjects: new sst.aws.Dynamo('Subjects', subjectsArgs(stage), dataOptions(stage)),
  };
}

export function bindingsArgs(stage: Stage): sst.aws.DynamoArgs {
  return {
    fields: { [bindingsTable.partitionKey]: 'string', [bindingsTable.sortKey]: 'string' },
    primaryIndex: { hashKey: bindingsTable.partitionKey, rangeKey: bindingsTable.sortKey },
    globalIndexes: {
      [bindingsTable.byIdIndex.name]: { hashKey: bindingsTable.byIdIndex.partitionKey },
    },
    deletionProtection: stage.production,
    transform: { table: tableTransform(tableName.bindings(stage)) },
  };
}

export function auditArgs(stage: Stage): sst.aws.DynamoArgs {
  const { byRoleIndex, byDayIndex, byBindingIndex, byResultDayIndex, byEventIdIndex } = auditTable;
  const { byUsernameIndex } = auditTable;
  return {
    fields: {
      [auditTable.partitionKey]: 'string',
      [auditTable.sortKey]: 'string',
      [byRoleIndex.partitionKey]: 'string',
      [byDayIndex.partitionKey]: 'string',
      [byBindingIndex.partitionKey]: 'string',
      [byResultDayIndex.partitionKey]: 'string',
      [byEventIdIndex.partitionKey]: 'string',
      [byUsernameIndex.partitionKey]: 'string',
    },
    primaryIndex: { hashKey: auditTable.partitionKey, rangeKey: auditTable.sortKey },
    globalIndexes: {
      [byRoleIndex.name]: { hashKey: byRoleIndex.partitionKey, rangeKey: byRoleIndex.sortKey },
      [byDayIndex.name]: { hashKey: byDayIndex.partitionKey, rangeKey: byDayIndex.sortKey },
      [byBindingIndex.name]: {
        hashKey: byBindingIndex.partitionKey,
        rangeKey: byBindingIndex.sortKey,
      },
      [byResultDayIndex.name]: {
        hashKey: byResultDayIndex.partitionKey,
        rangeKey: byResultDayIndex.sortKey,
      },
      [byEventIdIndex.name]: {
        hashKey: byEventIdIndex.partitionKey,
        rangeKey: byEventIdIndex.sortKey,
      },
      [byUsernameIndex.name]: {
        hashKey: byUsernameIndex.partitionKey,
        rangeKey: byUsernameIndex.sortKey,
      },
    },
    ttl: auditTable.ttlAttribute,
    deletionProtection: stage.production,
    transform: { table: tableTransform(tableName.audit(stage)) },
  };
}

/**
 * The subjects table: one item per (pool, subject), replaced on each vend, expired by DynamoDB
 * TTL on `expiresAt` (TESSERA_SUBJECTS_TTL_DAYS after the vend; reads filter on it too).
 */
export function subjectsArgs(stage: Stage): sst.aws.DynamoArgs {
  return {
    fields: { [subjectsTable.partitionKey]: 'string', [subjectsTable.sortKey]: 'string' },
    primaryIndex: { hashKey: subjectsTable.partitionKey, rangeKey: subjectsTable.sortKey },
    ttl: subjectsTable.ttlAttribute,
    deletionProtection: stage.production,
    // No point-in-time recovery: it would keep what the TTL deleted restorable for 35 more days,
    // beyond the stated retention. The table is derived data: the next vend records a subject again.
    transform: { table: tableTransform(tableName.subjects(stage), false) },
  };
}

/** Explicit physical name (the IAM policies name it) and point-in-time recovery, stated. */
function tableTransform(name: string, pointInTimeRecovery = true) {
  return (args: aws.dynamodb.TableArgs) => {
    args.name = name;
    args.pointInTimeRecovery = { enabled: pointInTimeRecovery };
  };
}

/** Data resources of production are never deleted: not by `sst remove`, not by a replacement. */
export function dataOptions(stage: Stage): { retainOnDelete: boolean; protect: boolean } {
  return { retainOnDelete: stage.production, protect: stage.production };
}
