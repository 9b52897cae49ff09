/**
 * A small timing loop for benchmarks (never for tests): warm up, then run a function for a fixed
 * time several times and keep the median rate. The clock is read once per batch, not per call,
 * so that reading it does not weigh on nanosecond-scale functions.
 */
import { performance } from 'node:perf_hooks';

export interface Rate {
  /** Calls per second, median of the runs. */
  readonly perSecond: number;
  /** Every run's calls per second, for the record. */
  readonly runs: readonly number[];
}

export interface TimingOptions {
  readonly warmupMs?: number;
  readonly runMs?: number;
  readonly runs?: number;
}

/** Values returned by benchmarked functions land here so the optimiser cannot drop the calls. */
let sink: unknown;
export function consume(value: unknown): void {
  sink = value;
}
export function sunk(): unknown {
  return sink;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` for `ms` milliseconds in batches; returns calls per second. */
function runFor(fn: () => unknown, ms: number): number {
  let batch = 1;
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) consume(fn());
    calls += batch;
    now = performance.now();
    // Grow batches until one takes ~1 ms, so the clock is read ~1,000 times a second.
    if (now - start < ms / 2 && batch < 1 << 20) batch *= 2;
  }
  return (calls * 1000) / (now - start);
}

/** `runFor` for an async function: each call is awaited before the next (no overlap). */
async function runForAsync(fn: () => Promise<unknown>, ms: number): Promise<number> {
  let batch = 1;
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < batch; i++) consume(await fn());
    calls += batch;
    now = performance.now();
    if (now - start < ms / 2 && batch < 1 << 20) batch *= 2;
  }
  return (calls * 1000) / (now - start);
}

/** `measure` for an async function (awaited call by call), with the same warm-up and runs. */
export async function measureAsync(
  fn: () => Promise<unknown>,
  options: TimingOptions = {},
): Promise<Rate> {
  const { warmupMs = 200, runMs = 500, runs = 3 } = options;
  await runForAsync(fn, warmupMs);
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push(await runForAsync(fn, runMs));
  return { perSecond: median(rates), runs: rates };
}

export function measure(fn: () => unknown, options: TimingOptions = {}): Rate {
  const { warmupMs = 200, runMs = 500, runs = 3 } = options;
  runFor(fn, warmupMs);
  const rates: number[] = [];
  for (let i = 0; i < runs; i++) rates.push(runFor(fn, runMs));
  return { perSecond: median(rates), runs: rates };
}

/** Median wall time, in milliseconds, of `runs` calls of `fn` (after one warm-up call). */
export function timeOnce(
  fn: () => unknown,
  runs = 7,
): { readonly ms: number; readonly runs: readonly number[] } {
  consume(fn());
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    consume(fn());
    times.push(performance.now() - start);
  }
  return { ms: median(times), runs: times };
}
