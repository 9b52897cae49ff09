/**
 * A V8 heap snapshot (`.heapsnapshot`, the format `v8.writeHeapSnapshot` writes) summed by what
 * each object is: its node type and, for objects and closures, its constructor or function name.
 * Two summaries compared give where the heap grew between them (`compareHeaps`), the comparison a
 * heap snapshot tool's "comparison" view shows, as data for a benchmark's JSON.
 */
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

export interface HeapGroup {
  readonly count: number;
  readonly bytes: number;
}

/** Self size and count per `type:name` (names of strings and arrays are not kept: one group each). */
export function summarizeHeap(path: string): Map<string, HeapGroup> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as RawSnapshot;
  const fields = raw.snapshot.meta.node_fields;
  const types = raw.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < raw.nodes.length; i += width) {
    const type = types[raw.nodes[i + typeAt]!] ?? 'unknown';
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type}:${raw.strings[raw.nodes[i + nameAt]!]}` : type;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += raw.nodes[i + sizeAt]!;
    groups.set(key, group);
  }
  return groups;
}

export interface HeapGrowth {
  readonly what: string;
  readonly countBefore: number;
  readonly countAfter: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** The `top` groups that grew most in bytes from `before` to `after`. */
export function compareHeaps(
  before: Map<string, HeapGroup>,
  after: Map<string, HeapGroup>,
  top = 12,
): {
  readonly totalBytesBefore: number;
  readonly totalBytesAfter: number;
  readonly grew: HeapGrowth[];
} {
  const total = (m: Map<string, HeapGroup>) => [...m.values()].reduce((a, g) => a + g.bytes, 0);
  const grew = [...after.entries()]
    .map(([what, a]) => {
      const b = before.get(what) ?? { count: 0, bytes: 0 };
      return {
        what,
        countBefore: b.count,
        countAfter: a.count,
        bytesBefore: b.bytes,
        bytesAfter: a.bytes,
      };
    })
    .sort((x, y) => y.bytesAfter - y.bytesBefore - (x.bytesAfter - x.bytesBefore))
    .slice(0, top);
  return { totalBytesBefore: total(before), totalBytesAfter: total(after), grew };
}
