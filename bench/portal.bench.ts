/**
 * `npm run bench:portal`: the weight of the built access portal (`packages/portal/dist`, after
 * `npm run build`): what a first visit downloads — index.html and every asset it loads — raw and
 * gzipped (level 9, as a CDN serves it). Budget: under 100 KB gzipped; exits 1 over budget or
 * when the portal is not built, so `.ci/run` fails. Results: bench/results/portal.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { environment, writeResults } from './lib/results.js';

const BUDGET_GZIP_BYTES = 100 * 1024;
const DIST = fileURLToPath(new URL('../packages/portal/dist/', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/portal.json', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

let all: string[];
try {
  all = files(DIST).filter((f) => /\.(html|js|css)$/.test(f));
} catch {
  console.error('bench:portal: packages/portal/dist is missing: run `npm run build` first');
  process.exit(1);
}
const measured = all.map((path) => {
  const text = readFileSync(path, 'utf8');
  return {
    file: relative(DIST, path),
    bytes: Buffer.byteLength(text),
    gzipBytes: gzipSync(text, { level: 9 }).length,
  };
});
const totalBytes = measured.reduce((n, f) => n + f.bytes, 0);
const totalGzipBytes = measured.reduce((n, f) => n + f.gzipBytes, 0);
await writeResults(RESULTS, {
  environment: environment(),
  files: measured,
  totalBytes,
  totalGzipBytes,
  budgetGzipBytes: BUDGET_GZIP_BYTES,
  withinBudget: totalGzipBytes < BUDGET_GZIP_BYTES,
});
console.log(
  `portal: ${measured.length} files, ${(totalBytes / 1024).toFixed(1)} KB, ${(totalGzipBytes / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} KB)`,
);
if (totalGzipBytes >= BUDGET_GZIP_BYTES) process.exit(1);
