/**
 * The published JSON Schema (`packages/broker/schema/binding.schema.json`) is generated from the
 * binding's zod schema; the committed file must be what the generator writes now.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BINDING_SCHEMA_PATH, bindingJsonSchema } from '../../../scripts/binding-schema.js';
import { checkBinding } from '../src/index.js';
import { binding } from './fixtures.js';

/** The committed file, compiled by a JSON Schema validator as an editor or the portal would. */
const validate = new Ajv2020({ allErrors: true, validateFormats: false }).compile(
  JSON.parse(readFileSync(BINDING_SCHEMA_PATH, 'utf8')),
);
const seeds: Record<string, unknown>[] = JSON.parse(
  readFileSync(new URL('../../local/tessera.local.json', import.meta.url), 'utf8'),
).bindings;

describe('binding.schema.json', () => {
  it('is current: the committed file equals what `npm run schema` generates', () => {
    expect(readFileSync(BINDING_SCHEMA_PATH, 'utf8')).toBe(bindingJsonSchema());
  });

  it('requires what the broker requires and refuses unknown fields', () => {
    const schema = JSON.parse(bindingJsonSchema());
    expect(schema.required).toEqual([
      'id',
      'issuer',
      'roleArn',
      'trustPolicy',
      'externalId',
      'roleMaxSessionDuration',
    ]);
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts what the broker accepts: the fixture binding and every seed binding file', () => {
    for (const doc of [binding(), ...seeds.map((b) => ({ ...b, roleMaxSessionDuration: 3600 }))]) {
      expect(checkBinding(doc).ok).toBe(true);
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('refuses, at the same JSON Pointers, what the broker refuses for its shape', () => {
    const bad = {
      ...binding(),
      id: 'Bad_ID',
      durationSeconds: { default: 600, max: 3600 },
      extra: 1,
    };
    expect(validate(bad)).toBe(false);
    const editor = (validate.errors ?? []).map((e) =>
      e.keyword === 'additionalProperties'
        ? `/${(e.params as { additionalProperty: string }).additionalProperty}`
        : e.instancePath,
    );
    const broker = checkBinding(bad);
    expect(broker.ok).toBe(false);
    expect(new Set(editor)).toEqual(
      new Set(broker.ok ? [] : broker.problems.map((p) => p.pointer)),
    );
  });
});
