/**
 * A binding document checked as the user types: JSON syntax, then the published binding JSON
 * Schema (`packages/broker/schema/binding.schema.json`, the one the broker's zod schema yields).
 * Problems are named by JSON Pointer, like the server's findings.
 */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import schema from '../../broker/schema/binding.schema.json';

export interface Finding {
  readonly pointer: string;
  readonly message: string;
  readonly source: 'json' | 'schema' | 'server';
  readonly severity: 'error' | 'warning';
}

export type Checked =
  | {
      readonly ok: true;
      readonly value: Record<string, unknown>;
      readonly findings: readonly Finding[];
    }
  | { readonly ok: false; readonly findings: readonly Finding[] };

const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  formats: { uri: (s: string) => URL.canParse(s) },
});
const validateBinding = ajv.compile(schema);

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function findingOf(e: ErrorObject): Finding {
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  const child = params.missingProperty ?? params.additionalProperty;
  const pointer =
    child === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(child)}`;
  const message =
    params.missingProperty !== undefined
      ? `${params.missingProperty} is required`
      : params.additionalProperty !== undefined
        ? `${params.additionalProperty} is not a field of a binding`
        : (e.message ?? e.keyword);
  return { pointer: pointer || '/', message, source: 'schema', severity: 'error' };
}

export function checkText(text: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      findings: [
        {
          pointer: '',
          message: `Not valid JSON: ${(err as Error).message}`,
          source: 'json',
          severity: 'error',
        },
      ],
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      ok: false,
      findings: [
        { pointer: '/', message: 'A binding is a JSON object', source: 'json', severity: 'error' },
      ],
    };
  }
  const valid = validateBinding(value);
  const seen = new Set<string>();
  const findings = (valid ? [] : (validateBinding.errors ?? []))
    .map(findingOf)
    // anyOf/oneOf repeat one problem per branch: keep the first of each pointer + message
    .filter((f) => !seen.has(`${f.pointer} ${f.message}`) && seen.add(`${f.pointer} ${f.message}`));
  return { ok: true, value: value as Record<string, unknown>, findings };
}

/**
 * `JSON.stringify(value, null, 2)`'s lines, and the line each JSON Pointer starts on, so a
 * problem's path can be highlighted in the formatted document.
 */
export function formatWithPointers(value: unknown): {
  lines: string[];
  lineOf: Map<string, number>;
} {
  const lines: string[] = [];
  const lineOf = new Map<string, number>();
  const walk = (v: unknown, pointer: string, indent: string, prefix: string, comma: string) => {
    lineOf.set(pointer || '/', lines.length);
    const entries: [string, unknown][] | undefined = Array.isArray(v)
      ? v.map((x, i) => [String(i), x])
      : typeof v === 'object' && v !== null
        ? Object.entries(v)
        : undefined;
    if (entries === undefined || entries.length === 0) {
      const text = entries === undefined ? JSON.stringify(v) : Array.isArray(v) ? '[]' : '{}';
      lines.push(`${indent}${prefix}${text}${comma}`);
      return;
    }
    lines.push(`${indent}${prefix}${Array.isArray(v) ? '[' : '{'}`);
    entries.forEach(([k, x], i) => {
      const key = Array.isArray(v) ? '' : `${JSON.stringify(k)}: `;
      walk(
        x,
        `${pointer}/${escapePointer(k)}`,
        `${indent}  `,
        key,
        i < entries.length - 1 ? ',' : '',
      );
    });
    lines.push(`${indent}${Array.isArray(v) ? ']' : '}'}${comma}`);
  };
  walk(value, '', '', '', '');
  return { lines, lineOf };
}

/** The line of a pointer, or of its nearest ancestor present in the document (a missing field). */
export function lineFor(pointer: string, lineOf: ReadonlyMap<string, number>): number {
  let p = pointer;
  while (p !== '' && p !== '/') {
    const line = lineOf.get(p);
    if (line !== undefined) return line;
    p = p.slice(0, p.lastIndexOf('/'));
  }
  return lineOf.get('/') ?? 0;
}
