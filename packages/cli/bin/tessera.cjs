#!/usr/bin/env node
// `tessera`. The AWS CLI runs `tessera credentials` (credential_process) before every command:
// that one command runs from a single CommonJS file (no ES module loader, no commander) and
// loads only what a cache hit needs; every other command, and `credentials --help`, runs the
// commander program. Both are bundles of packages/cli/dist (scripts/bundle-cli.mjs, npm run build).
'use strict';
const args = process.argv.slice(2);
if (args[0] === 'credentials' && !args.includes('--help') && !args.includes('-h')) {
  require('../bundle/credential-process.cjs')
    .credentialProcess(args.slice(1))
    .then((code) => {
      process.exitCode = code;
    });
} else {
  import('../bundle/program.js').then((program) => program.main());
}
