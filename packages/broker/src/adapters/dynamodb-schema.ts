/**
 * The DynamoDB tables as the broker's adapters use them. One source of truth: `infra/tables.ts`
 * declares the tables from these constants, the adapters read and write by them, and the local
 * stack creates its tables from them. No AWS SDK here, so infra can import it.
 */
export const bindingsTable = {
  /** Partition key: the issuer URL. One Query loads every binding of a user pool. */
  partitionKey: 'issuer',
  /** Sort key: the binding id ([a-z0-9-]{1,64}). */
  sortKey: 'id',
  /** Lookup by binding id across issuers (admin reads). */
  byIdIndex: { name: 'byId', partitionKey: 'id' },
  /**
   * Revocations live in the same partition as the pool's bindings, under sort keys
   * `revocation#<uuid>` (a binding id is [a-z0-9-], so the two never collide): the one Query that
   * loads a pool's bindings loads its revocations too, into the same cache entry.
   */
  revocationPrefix: 'revocation#',
} as const;

export const auditTable = {
  /** Partition key: `<iss>|<sub>` of the caller, or `anonymous` when the token did not verify. */
  partitionKey: 'subject',
  /** Sort key: `<ISO time>#<event id>`: sorts by time, unique. */
  sortKey: 'at',
  /** Events by role ARN, newest first with ScanIndexForward=false. */
  byRoleIndex: { name: 'byRole', partitionKey: 'roleArn', sortKey: 'at' },
  /** Events by UTC day (`YYYY-MM-DD`), for time-range reads. */
  byDayIndex: { name: 'byDay', partitionKey: 'day', sortKey: 'at' },
  /** Events by binding id (sparse: token failures name none), newest first. */
  byBindingIndex: { name: 'byBinding', partitionKey: 'bindingId', sortKey: 'at' },
  /** Events by result and UTC day (`grant#YYYY-MM-DD`): one partition per result per day, never a hot key. */
  byResultDayIndex: { name: 'byResultDay', partitionKey: 'resultDay', sortKey: 'at' },
  /** One event by its id (a trail's grant: `GET /v1/audit/{eventId}/trail`); ids are unique. */
  byEventIdIndex: { name: 'byEventId', partitionKey: 'eventId', sortKey: 'at' },
  /** Events by the caller's username (sparse: token failures name none), newest first. */
  byUsernameIndex: { name: 'byUsername', partitionKey: 'username', sortKey: 'at' },
  /** Epoch seconds; DynamoDB TTL deletes lazily, so reads also filter on it. */
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The subjects table (subjects.ts): the request context of each subject's last vend, per pool.
 * Personal data, kept for a retention window by its TTL attribute.
 */
export const subjectsTable = {
  /** Partition key: the pool's issuer URL. One Query pages through a pool's subjects. */
  partitionKey: 'issuer',
  /** Sort key: the token's `sub`. */
  sortKey: 'sub',
  /** Epoch seconds; DynamoDB TTL deletes lazily, so reads also filter on it. */
  ttlAttribute: 'expiresAt',
} as const;
