/**
 * Glob matching for the IAM policy language: `*` matches any run of characters (including none),
 * `?` matches exactly one. Patterns are compiled once into a `Glob`; the common shapes (exact,
 * `*`, `prefix*`, `*suffix`) get a fast path.
 *
 * The general matcher splits the pattern on `*` into literal chunks and places them greedily,
 * leftmost first: the first chunk is anchored at the start, the last at the end, and every middle
 * chunk at its first occurrence after the previous one. Leftmost placement is always safe for
 * glob (a later placement can only leave less room for what follows), so there is no
 * backtracking: the cost is O(n) `indexOf` work per chunk for chunks without `?`, and O(n·|chunk|)
 * for chunks with `?` — never exponential, never O(n·m) across the whole pattern.
 */

/** A piece of a pattern: `wild` text gives `*` and `?` their meaning; other text is literal. */
export interface PatternPiece {
  readonly text: string;
  readonly wild: boolean;
}

/** A literal run between stars. `q` marks positions holding a `?` wildcard (null: none). */
interface Chunk {
  readonly text: string;
  readonly q: readonly boolean[] | null;
}

export type Glob =
  | { readonly kind: 'any' }
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'suffix'; readonly text: string }
  | {
      readonly kind: 'general';
      /** chunks[0] is anchored at the start and chunks[last] at the end (either may be empty). */
      readonly chunks: readonly Chunk[];
      /** False when the pattern has no `*`: the single chunk must cover the whole value. */
      readonly hasStar: boolean;
      readonly minLength: number;
    };

export const ANY_GLOB: Glob = { kind: 'any' };

/** Compiles a pattern in which every character is wild (`*` and `?` are wildcards). */
export function compileGlob(pattern: string): Glob {
  return compilePieces([{ text: pattern, wild: true }]);
}

/** A glob that matches `text` literally. */
export function exactGlob(text: string): Glob {
  return { kind: 'exact', text };
}

/** Compiles a pattern made of wild and literal pieces (literal pieces come from policy variables). */
export function compilePieces(pieces: readonly PatternPiece[]): Glob {
  const chunks: Chunk[] = [];
  let text = '';
  let q: boolean[] | null = null;
  let hasStar = false;
  for (const piece of pieces) {
    if (!piece.wild) {
      if (q !== null) for (let i = 0; i < piece.text.length; i++) q.push(false);
      text += piece.text;
      continue;
    }
    for (const ch of piece.text) {
      if (ch === '*') {
        hasStar = true;
        chunks.push({ text, q });
        text = '';
        q = null;
      } else if (ch === '?') {
        if (q === null) q = new Array<boolean>(text.length).fill(false);
        // A `?` occupies one UTF-16 unit; astral characters are matched unit by unit.
        q.push(true);
        text += '?';
      } else {
        if (q !== null) for (let i = 0; i < ch.length; i++) q.push(false);
        text += ch;
      }
    }
  }
  chunks.push({ text, q });
  return classify(chunks, hasStar);
}

function classify(chunks: Chunk[], hasStar: boolean): Glob {
  const first = chunks[0]!;
  const last = chunks[chunks.length - 1]!;
  if (!hasStar && first.q === null) return { kind: 'exact', text: first.text };
  if (hasStar && chunks.every((c) => c.text === '')) return ANY_GLOB;
  if (chunks.length === 2 && first.q === null && last.q === null) {
    if (last.text === '') return { kind: 'prefix', text: first.text };
    if (first.text === '') return { kind: 'suffix', text: last.text };
  }
  let minLength = 0;
  for (const c of chunks) minLength += c.text.length;
  return { kind: 'general', chunks, hasStar, minLength };
}

export function matchGlob(glob: Glob, value: string): boolean {
  switch (glob.kind) {
    case 'any':
      return true;
    case 'exact':
      return value === glob.text;
    case 'prefix':
      return value.startsWith(glob.text);
    case 'suffix':
      return value.endsWith(glob.text);
    case 'general':
      return matchGeneral(glob, value, 0, value.length);
  }
}

/** Matches `value.slice(from, to)` without slicing (used per ARN segment). */
export function matchGlobRange(glob: Glob, value: string, from: number, to: number): boolean {
  switch (glob.kind) {
    case 'any':
      return true;
    case 'exact':
      return to - from === glob.text.length && value.startsWith(glob.text, from);
    case 'prefix':
      return to - from >= glob.text.length && value.startsWith(glob.text, from);
    case 'suffix':
      return to - from >= glob.text.length && value.startsWith(glob.text, to - glob.text.length);
    case 'general':
      return matchGeneral(glob, value, from, to);
  }
}

function matchGeneral(
  glob: Extract<Glob, { kind: 'general' }>,
  value: string,
  from: number,
  to: number,
): boolean {
  const chunks = glob.chunks;
  if (to - from < glob.minLength) return false;
  const first = chunks[0]!;
  if (!glob.hasStar) return to - from === first.text.length && chunkAt(first, value, from);
  const last = chunks[chunks.length - 1]!;
  const end = to - last.text.length;
  if (!chunkAt(first, value, from) || !chunkAt(last, value, end)) return false;
  let pos = from + first.text.length;
  for (let i = 1; i < chunks.length - 1; i++) {
    const chunk = chunks[i]!;
    const found = findChunk(chunk, value, pos, end);
    if (found < 0) return false;
    pos = found + chunk.text.length;
  }
  return pos <= end;
}

function chunkAt(chunk: Chunk, value: string, at: number): boolean {
  const text = chunk.text;
  if (chunk.q === null) return value.startsWith(text, at);
  const q = chunk.q;
  for (let i = 0; i < text.length; i++) {
    if (!q[i] && value.charCodeAt(at + i) !== text.charCodeAt(i)) return false;
  }
  return true;
}

/** First index >= from at which the chunk occurs and ends at or before `limit`; -1 if none. */
function findChunk(chunk: Chunk, value: string, from: number, limit: number): number {
  const last = limit - chunk.text.length;
  if (chunk.q === null) {
    const i = value.indexOf(chunk.text, from);
    return i >= 0 && i <= last ? i : -1;
  }
  for (let i = from; i <= last; i++) if (chunkAt(chunk, value, i)) return i;
  return -1;
}

/** The pattern as a person reads it (for explain). */
export function describeGlob(glob: Glob): string {
  switch (glob.kind) {
    case 'any':
      return '*';
    case 'exact':
      return glob.text;
    case 'prefix':
      return `${glob.text}*`;
    case 'suffix':
      return `*${glob.text}`;
    case 'general':
      return glob.chunks.map((c) => c.text).join('*');
  }
}
