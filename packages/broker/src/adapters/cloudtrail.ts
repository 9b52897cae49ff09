/**
 * The `TrailSource` over CloudTrail's LookupEvents: the calls made with one access key id in one
 * account, in a time window, paged to the end (bounded). LookupEvents answers management events of
 * the last 90 days of the account whose credentials call it; S3 object-level (data) events are
 * only in a trail with data events or CloudTrail Lake, which this source does not read. An account
 * for which no credentials are configured is named as not searchable, never silently skipped.
 */
import {
  CloudTrailClient,
  type CloudTrailClientConfig,
  LookupEventsCommand,
} from '@aws-sdk/client-cloudtrail';
import type { TrailCoverage, TrailLookup, TrailSearch, TrailSource } from '../trail.js';

type Credentials = CloudTrailClientConfig['credentials'];

export interface CloudTrailSourceOptions {
  readonly region: string;
  /** A CloudTrail endpoint override (the local stack). */
  readonly endpoint?: string;
  /**
   * Credentials that may call LookupEvents in an account; undefined when that account cannot be
   * searched (named so in the answer). The default credential chain: return `null`.
   */
  readonly credentialsFor: (accountId: string) => Credentials | null | undefined;
  /** At most this many pages of 50 per lookup (LookupEvents allows 2 calls a second). */
  readonly maxPages?: number;
  /** What the search covers; default: AWS's LookupEvents (management events, 90 days). */
  readonly coverage?: readonly TrailCoverage[];
}

/** AWS's LookupEvents: management events of the last 90 days; data events are not in it. */
export const LOOKUP_EVENTS_COVERAGE: readonly TrailCoverage[] = [
  {
    events: 'management',
    searched: true,
    detail: 'CloudTrail LookupEvents by AccessKeyId in the role account: the last 90 days',
  },
  {
    events: 'data',
    searched: false,
    detail:
      'S3 object calls are data events: only a trail with data events (its S3 log) or CloudTrail Lake has them; LookupEvents does not',
  },
];

export class CloudTrailSource implements TrailSource {
  readonly coverage: readonly TrailCoverage[];
  readonly #options: CloudTrailSourceOptions;
  readonly #clients = new Map<string, CloudTrailClient>();

  constructor(options: CloudTrailSourceOptions) {
    this.#options = options;
    this.coverage = options.coverage ?? LOOKUP_EVENTS_COVERAGE;
  }

  #client(accountId: string): CloudTrailClient | undefined {
    const cached = this.#clients.get(accountId);
    if (cached) return cached;
    const credentials = this.#options.credentialsFor(accountId);
    if (credentials === undefined) return undefined;
    const client = new CloudTrailClient({
      region: this.#options.region,
      ...(this.#options.endpoint ? { endpoint: this.#options.endpoint } : {}),
      ...(credentials === null ? {} : { credentials }),
    });
    this.#clients.set(accountId, client);
    return client;
  }

  async search(lookup: TrailLookup): Promise<TrailSearch> {
    const client = this.#client(lookup.accountId);
    if (!client) {
      return {
        ok: false,
        reason: 'AccountNotSearchable',
        detail: `no credentials to read CloudTrail in account ${lookup.accountId}`,
      };
    }
    const records: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    try {
      for (let page = 0; page < (this.#options.maxPages ?? 20); page += 1) {
        const out = await client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'AccessKeyId', AttributeValue: lookup.accessKeyId }],
            StartTime: lookup.startTime,
            EndTime: lookup.endTime,
            MaxResults: 50,
            NextToken: nextToken,
          }),
        );
        for (const event of out.Events ?? []) {
          if (event.CloudTrailEvent) records.push(JSON.parse(event.CloudTrailEvent));
        }
        nextToken = out.NextToken;
        if (!nextToken) break;
      }
    } catch (err) {
      return {
        ok: false,
        reason: 'TrailUnavailable',
        detail: `LookupEvents in ${lookup.accountId} failed: ${(err as Error)?.name ?? 'error'}`,
      };
    }
    return { ok: true, records, truncated: nextToken !== undefined };
  }
}

// Another account's trail reader is assumed through the one implementation of "credentials of an
// assumed role, renewed before they expire" (assumed-role.ts), also used by the revocation writer.
export { assumedRoleCredentials } from './assumed-role.js';
