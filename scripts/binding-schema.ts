/**
 * `npm run schema`: writes `packages/broker/schema/binding.schema.json` from the binding's zod
 * schema (`packages/broker/src/schema/binding.ts`), so editors, the CLI and the portal validate
 * binding files against the same description the broker parses with. `npm run schema -- --check`
 * (and `packages/broker/test/binding-schema.test.ts`) fail when the committed file is stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bindingSchema } from '@tessera/broker';
import { toJSONSchema } from 'zod/mini';

export const BINDING_SCHEMA_PATH = fileURLToPath(
  new URL('../packages/broker/schema/binding.schema.json', import.meta.url),
);

/** The published JSON Schema, as text (what is committed). */
export function bindingJsonSchema(): string {
  const generated = toJSONSchema(bindingSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated;
  const document = {
    $schema,
    $id: 'urn:tessera:schema:binding',
    title: 'Tessera binding',
    description:
      'One item of the trust-policy table: callers whose token matches trustPolicy may assume roleArn, scoped by sessionPolicy, sessionTags, sourceIdentity and durationSeconds. Generated from packages/broker/src/schema/binding.ts by `npm run schema`; the broker also checks what JSON Schema cannot say (the policy grammar, durationSeconds.default <= max, tag characters, transitive tag keys naming session tags).',
    ...rest,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const text = bindingJsonSchema();
  if (process.argv.includes('--check')) {
    const committed = await readFile(BINDING_SCHEMA_PATH, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error(`${BINDING_SCHEMA_PATH} is stale: run npm run schema and commit it`);
      process.exitCode = 1;
      return;
    }
    console.log('schema: binding.schema.json is current');
    return;
  }
  await writeFile(BINDING_SCHEMA_PATH, text);
  console.log(`schema: written ${BINDING_SCHEMA_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
