/**
 * `npm run synth [-- --stage <dev|production>]`: writes the IAM documents the infra deploys for a
 * stage of `tessera.config.ts` (default: production) into `dist/infra/`. No AWS account needed.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, resolveStage } from '../infra/config.js';
import { synthesize } from '../infra/synth.js';
import config from '../tessera.config.js';

const OUT_DIR = 'dist/infra';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stage: { type: 'string', default: 'production' } } });
  const stage = resolveStage(config, values.stage ?? 'production');
  await rm(OUT_DIR, { recursive: true, force: true });
  for (const [path, document] of synthesize(stage)) {
    const file = join(OUT_DIR, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`synth: ${file}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exitCode = 1;
});
