// The `tessera` bin as run (packages/cli/bin/tessera.cjs): packages/cli/dist (tsc) bundled by
// esbuild into packages/cli/bundle/.
// - credential-process.cjs: `tessera credentials`, run by the AWS CLI before every command, as one
//   CommonJS file: Node 20 reads every ES module through its async loader, file by file, which
//   costs a cached answer more than the answer itself.
// - program.js (+ one chunk per lazily loaded command): every command, with commander.
// Heavy or rarely used dependencies stay external and load only with the command that needs them.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = fileURLToPath(new URL('../packages/cli/', import.meta.url));
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
rmSync(`${cli}bundle`, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [`${cli}dist/credential-process.js`],
  outfile: `${cli}bundle/credential-process.cjs`,
  format: 'cjs',
  external: ['@tessera/broker', '@tessera/local', 'open', 'yaml', 'cli-table3'],
});
await build({
  ...common,
  entryPoints: [`${cli}dist/program.js`],
  outdir: `${cli}bundle`,
  splitting: true,
  format: 'esm',
  external: ['@tessera/broker', '@tessera/local', 'open', 'yaml', 'cli-table3', 'nanospinner'],
  // commander is CommonJS: give its require() calls of Node built-ins a require to call.
  banner: {
    js: "import { createRequire as __tesseraRequire } from 'node:module'; const require = __tesseraRequire(import.meta.url);",
  },
});
