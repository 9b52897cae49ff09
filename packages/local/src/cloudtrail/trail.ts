/**
 * The local trail: every record appended to `<home>/cloudtrail/events.jsonl` (one JSON record a
 * line, fsynced before the request that caused it is answered, so a record survives a crash or a
 * restart), and kept in memory in arrival order for LookupEvents.
 *
 * LookupEvents as CloudTrail serves it (API reference): one account's events (the caller's),
 * newest first; at most one lookup attribute
 * (EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId);
 * `StartTime`/`EndTime` inclusive; `MaxResults` 1..50 (default 50); an opaque `NextToken` that is
 * valid only for the same query.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  type CloudTrailRecord,
  cloudTrailRecord,
  lookupUsername,
  type ServedCall,
} from './record.js';

export const LOOKUP_ATTRIBUTE_KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;
export type LookupAttributeKey = (typeof LOOKUP_ATTRIBUTE_KEYS)[number];

export interface LookupQuery {
  /** LookupEvents answers one account's events: the caller's. */
  readonly account: string;
  readonly attribute?: { readonly key: LookupAttributeKey; readonly value: string } | undefined;
  readonly startTime?: Date | undefined;
  readonly endTime?: Date | undefined;
  readonly maxResults: number;
  readonly nextToken?: string | undefined;
}

export type LookupErrorCode = 'InvalidNextTokenException';

export type LookupResult =
  | { readonly ok: true; readonly events: readonly CloudTrailRecord[]; readonly nextToken?: string }
  | { readonly ok: false; readonly code: LookupErrorCode; readonly message: string };

function matches(record: CloudTrailRecord, key: LookupAttributeKey, value: string): boolean {
  switch (key) {
    case 'EventId':
      return record.eventID === value;
    case 'EventName':
      return record.eventName === value;
    case 'ReadOnly':
      return String(record.readOnly) === value;
    case 'Username':
      return lookupUsername(record) === value;
    case 'ResourceType':
      return record.resources.some((r) => r.type === value);
    case 'ResourceName':
      return record.resources.some((r) => r.ARN === value);
    case 'EventSource':
      return record.eventSource === value;
    case 'AccessKeyId':
      return record.userIdentity.accessKeyId === value;
  }
}

/** Binds a token to its query, so a token replayed with other filters is refused. */
function queryDigest(query: LookupQuery): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        query.account,
        query.attribute?.key,
        query.attribute?.value,
        query.startTime?.getTime(),
        query.endTime?.getTime(),
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
}

/**
 * What LookupEvents can see: the newest records, at most this many and this many bytes of their
 * JSON (the file keeps every record). A load run records thousands of calls a minute; without a
 * bound the trail's memory would grow with every call for the stack's life.
 */
export const MAX_RECORDS_IN_MEMORY = 10_000;
export const MAX_RECORD_BYTES_IN_MEMORY = 16 * 1024 * 1024;

export interface TrailMemoryBounds {
  readonly records: number;
  /** Bytes of the records' JSON; the newest record is kept whatever its size. */
  readonly bytes: number;
}

export class LocalTrail {
  /** The newest records, oldest first; `#dropped` older ones are only in the file. */
  readonly #records: CloudTrailRecord[] = [];
  /** The JSON length of each record in `#records`, and their sum. */
  readonly #sizes: number[] = [];
  #bytes = 0;
  #dropped = 0;
  readonly #fd: number;
  readonly #bounds: TrailMemoryBounds;

  private constructor(fd: number, bounds: TrailMemoryBounds) {
    this.#fd = fd;
    this.#bounds = bounds;
  }

  /** Keeps a record in memory, forgetting the oldest past the bounds. */
  #keep(record: CloudTrailRecord, size: number): void {
    this.#records.push(record);
    this.#sizes.push(size);
    this.#bytes += size;
    let drop = 0;
    let bytes = this.#bytes;
    while (
      this.#records.length - drop > this.#bounds.records ||
      (bytes > this.#bounds.bytes && this.#records.length - drop > 1)
    ) {
      bytes -= this.#sizes[drop]!;
      drop += 1;
    }
    if (drop === 0) return;
    this.#records.splice(0, drop);
    this.#sizes.splice(0, drop);
    this.#bytes = bytes;
    this.#dropped += drop;
  }

  /** Opens (or creates) the trail under `home`; a torn last line from a crash is dropped. */
  static open(
    home: string,
    bounds: TrailMemoryBounds = {
      records: MAX_RECORDS_IN_MEMORY,
      bytes: MAX_RECORD_BYTES_IN_MEMORY,
    },
  ): LocalTrail {
    const dir = join(home, 'cloudtrail');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, 'events.jsonl');
    const trail = new LocalTrail(openSync(path, 'a', 0o600), bounds);
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      // Only the newest can be kept: the older lines are not parsed at all.
      for (const line of lines.slice(-bounds.records - 1)) {
        if (line === '') continue;
        try {
          trail.#keep(JSON.parse(line) as CloudTrailRecord, line.length);
        } catch {
          // only a crash mid-append leaves a partial line, and only as the last one
        }
      }
    }
    return trail;
  }

  /** Builds the record of a served call and stores it durably; answers its eventID. */
  record(call: ServedCall): CloudTrailRecord {
    const record = cloudTrailRecord(call, randomUUID());
    const line = JSON.stringify(record);
    writeSync(this.#fd, `${line}\n`);
    fsyncSync(this.#fd);
    this.#keep(record, line.length);
    return record;
  }

  lookup(query: LookupQuery): LookupResult {
    const digest = queryDigest(query);
    // Tokens carry a record's position in the whole trail (forgotten records included), so a
    // token stays valid while older records are forgotten; a page past what memory holds is empty.
    const dropped = this.#dropped;
    let from = this.#records.length - 1;
    if (query.nextToken !== undefined) {
      const [tokenDigest, index] = query.nextToken.split('.');
      const at = Number(index);
      if (tokenDigest !== digest || !Number.isInteger(at) || at < 0 || at > dropped + from) {
        return { ok: false, code: 'InvalidNextTokenException', message: 'Invalid NextToken.' };
      }
      from = at - dropped;
    }
    const start = query.startTime?.getTime() ?? Number.NEGATIVE_INFINITY;
    const end = query.endTime?.getTime() ?? Number.POSITIVE_INFINITY;
    const events: CloudTrailRecord[] = [];
    for (let i = from; i >= 0; i -= 1) {
      const record = this.#records[i] as CloudTrailRecord;
      const time = Date.parse(record.eventTime);
      if (time < start || time > end || record.recipientAccountId !== query.account) continue;
      if (query.attribute && !matches(record, query.attribute.key, query.attribute.value)) continue;
      if (events.length === query.maxResults)
        return { ok: true, events, nextToken: `${digest}.${dropped + i}` };
      events.push(record);
    }
    return { ok: true, events };
  }

  close(): void {
    closeSync(this.#fd);
  }
}
