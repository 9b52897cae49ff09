/**
 * The trust table as code: a folder of binding files (YAML or JSON, one binding each, named
 * `<id>.yaml`), checked offline with the broker's own document checks (the admin API runs the
 * same), and compared field by field with what is stored.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { SERVER_FIELDS as BROKER_SERVER_FIELDS, checkBinding } from '@tessera/broker';
import { canonicalJson, type StoredBinding } from '@tessera/client';
import { CliError } from '../errors.js';

export interface BindingFile {
  readonly path: string;
  readonly id: string;
  /** The version the file was written from (`version:`), if it says. */
  readonly baseVersion: number | undefined;
  /** What is sent: the document without id and server-set fields, issuer filled in. */
  readonly document: Record<string, unknown>;
  /** The compared fields, defaults filled by the broker's parser. */
  readonly managed: Record<string, unknown>;
}

export interface FileProblem {
  readonly path: string;
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** Set by the server (the broker's list): never sent, never compared. */
const SERVER_FIELDS: ReadonlySet<string> = new Set(BROKER_SERVER_FIELDS);
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new CliError(
      'FileUnreadable',
      `cannot read the folder ${dir}: ${(err as Error).message}`,
    );
  }
  return names
    .filter((n) => EXTENSIONS.has(extname(n)))
    .sort()
    .map((n) => join(dir, n));
}

async function parseFile(path: string): Promise<unknown> {
  const text = readFileSync(path, 'utf8');
  if (extname(path) === '.json') return JSON.parse(text);
  const { parse } = await import('yaml');
  return parse(text);
}

/** Reads and checks every file; every problem of every file is returned, none thrown. */
export async function loadBindingFiles(
  dir: string,
  defaultIssuer: string | undefined,
): Promise<{ files: BindingFile[]; problems: FileProblem[] }> {
  const files: BindingFile[] = [];
  const problems: FileProblem[] = [];
  const seen = new Map<string, string>();
  for (const path of listFiles(dir)) {
    const problem = (field: string, code: string, message: string) =>
      problems.push({ path, field, code, message });
    let raw: unknown;
    try {
      raw = await parseFile(path);
    } catch (err) {
      problem('', 'Unparsable', (err as Error).message.split('\n')[0] ?? 'unparsable');
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problem('', 'NotAnObject', 'a binding file holds one object');
      continue;
    }
    const doc = raw as Record<string, unknown>;
    const stem = basename(path, extname(path));
    const id = typeof doc.id === 'string' ? doc.id : stem;
    if (id !== stem) problem('/id', 'IdMismatch', `id ${id} differs from the file name ${stem}`);
    if (seen.has(id)) problem('/id', 'DuplicateId', `${id} is also defined in ${seen.get(id)}`);
    seen.set(id, path);
    const baseVersion = typeof doc.version === 'number' ? doc.version : undefined;
    const document: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(doc)) if (!SERVER_FIELDS.has(k)) document[k] = v;
    if (document.issuer === undefined && defaultIssuer) document.issuer = defaultIssuer;
    // The broker's binding schema (the admin API's, published as schema/binding.schema.json); the
    // role's MaxSessionDuration is the server's, read with IAM at the write.
    const checked = checkBinding({ ...document, id, roleMaxSessionDuration: 3600 });
    if (!checked.ok) {
      for (const p of checked.problems) problem(p.pointer, p.code, p.message);
      continue;
    }
    const managed = managedFields(checked.value.binding as unknown as Record<string, unknown>);
    files.push({ path, id, baseVersion, document, managed });
  }
  return { files, problems };
}

/** The fields a file manages: everything but what the server sets. */
export function managedFields(binding: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(binding)) if (!SERVER_FIELDS.has(k)) out[k] = v;
  return out;
}

export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Per-field differences, as JSON-Pointer-like paths (`trustPolicy/Statement/0/Effect`). */
export function fieldChanges(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (canonicalJson(before) === canonicalJson(after)) return [];
  const isObj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => fieldChanges(a[k], b[k], path ? `${path}/${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((v, i) => fieldChanges(v, after[i], `${path}/${i}`));
  }
  return [{ path, before, after }];
}

export type PlanEntry =
  | { readonly kind: 'create'; readonly file: BindingFile }
  | {
      readonly kind: 'update';
      readonly file: BindingFile;
      readonly stored: StoredBinding;
      readonly changes: readonly FieldChange[];
    }
  | { readonly kind: 'unchanged'; readonly file: BindingFile; readonly stored: StoredBinding };

export function plan(files: readonly BindingFile[], stored: readonly StoredBinding[]): PlanEntry[] {
  const byId = new Map(stored.map((b) => [b.id, b]));
  return files.map((file) => {
    const current = byId.get(file.id);
    if (!current) return { kind: 'create', file };
    // Only the fields a file manages: fields the server adds to a binding are not the file's.
    const stored = Object.fromEntries(Object.keys(file.managed).map((k) => [k, current[k]]));
    const changes = fieldChanges(stored, file.managed);
    return changes.length === 0
      ? { kind: 'unchanged', file, stored: current }
      : { kind: 'update', file, stored: current, changes };
  });
}
