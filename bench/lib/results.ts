/** Writes a benchmark's results as JSON under bench/results/, with where and when it ran. */
import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus, platform } from 'node:os';
import { dirname } from 'node:path';

export interface Environment {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpu: string;
  readonly date: string;
}

export function environment(): Environment {
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpu: cpus()[0]?.model ?? 'unknown',
    date: new Date().toISOString(),
  };
}

export async function writeResults(path: string, results: object): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
}
