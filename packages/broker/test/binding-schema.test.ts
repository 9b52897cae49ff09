/**
 * The published JSON Schema (`packages/broker/schema/binding.schema.json`) is generated from the
 * binding's zod schema; the committed file must be what the generator writes now.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINDING_SCHEMA_PATH, bindingJsonSchema } from '../../../scripts/binding-schema.js';

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
});
