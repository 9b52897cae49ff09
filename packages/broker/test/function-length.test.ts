/** Small functions (STYLE.md): no function in the shipped code of broker and functions reaches 80 lines. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_LINES = 80;
/** No exception: `parseBinding`, the last long one, became a few lines over the binding schema. */

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every function-like node of a file with its length in lines. */
function functionLengths(file: string): { name: string; lines: number }[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as { name?: ts.Node }).name?.getText() ?? '<anonymous>';
      found.push({
        name: `${file.slice(ROOT.length)}:${start + 1} ${name}`,
        lines: end - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  it(`every function in broker/src and functions/src is under ${MAX_LINES} lines`, () => {
    const all = ['broker', 'functions'].flatMap((p) =>
      sources(join(ROOT, p, 'src')).flatMap(functionLengths),
    );
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((f) => f.name.endsWith(' parseBinding'))).toBe(true);
    const longest = all.reduce((a, b) => (b.lines > a.lines ? b : a));
    expect(all.filter((f) => f.lines >= MAX_LINES)).toEqual([]);
    expect(longest.lines).toBeLessThan(MAX_LINES);
  });
});
