/**
 * ARN-aware matching, as AWS documents for `ArnEquals`/`ArnLike` and for the Resource element:
 * an ARN is split on its first five colons into six segments
 * (`arn:partition:service:region:account:resource`), and each segment of the pattern is matched
 * separately against the same segment of the value, so a wildcard never crosses a segment
 * boundary (`arn:aws:s3:*` does not match a six-segment ARN through the colons). The sixth segment
 * keeps any further colons (`log-group:name:*`) and a wildcard there may span them.
 *
 * A pattern that starts with `arn:` but has fewer than six segments (`arn:aws:s3:*`) is padded
 * with `*` segments. Any other pattern (`*`, free text) is matched as one glob over the whole value.
 */
import {
  compilePieces,
  type Glob,
  matchGlob,
  matchGlobRange,
  type PatternPiece,
} from './wildcard.js';

export const ARN_SEGMENTS = 6;

export type ArnMatcher =
  | { readonly kind: 'whole'; readonly glob: Glob }
  | { readonly kind: 'segments'; readonly segments: readonly Glob[] };

/** The six segments of an ARN, or null when the value has fewer than five colons. */
export function splitArn(value: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < ARN_SEGMENTS - 1; i++) {
    const colon = value.indexOf(':', start);
    if (colon < 0) return null;
    parts.push(value.slice(start, colon));
    start = colon + 1;
  }
  parts.push(value.slice(start));
  return parts;
}

/** Compiles an ARN pattern whose characters are all wild. */
export function compileArnPattern(pattern: string): ArnMatcher {
  return compileArnPieces([{ text: pattern, wild: true }]);
}

/** Compiles an ARN pattern made of wild and literal pieces (literal: resolved policy variables). */
export function compileArnPieces(pieces: readonly PatternPiece[]): ArnMatcher {
  const segments: PatternPiece[][] = [[]];
  for (const piece of pieces) {
    let start = 0;
    for (;;) {
      const colon = segments.length < ARN_SEGMENTS ? piece.text.indexOf(':', start) : -1;
      if (colon < 0) break;
      segments[segments.length - 1]!.push({
        text: piece.text.slice(start, colon),
        wild: piece.wild,
      });
      segments.push([]);
      start = colon + 1;
    }
    segments[segments.length - 1]!.push({ text: piece.text.slice(start), wild: piece.wild });
  }
  if (segments.length < ARN_SEGMENTS) {
    if (!startsWithArn(pieces)) return { kind: 'whole', glob: compilePieces(pieces) };
    // A short ARN pattern (`arn:aws:s3:*`): the missing trailing segments are `*`.
    while (segments.length < ARN_SEGMENTS) segments.push([{ text: '*', wild: true }]);
  }
  const globs = segments.map((s) => compilePieces(s));
  // Fast path: when the first five segments have no wildcard, matching the whole pattern as one
  // glob is the same as matching segment by segment (the literal head pins the five colons).
  if (globs.slice(0, ARN_SEGMENTS - 1).every((g) => g.kind === 'exact')) {
    return { kind: 'whole', glob: compilePieces(pieces) };
  }
  return { kind: 'segments', segments: globs };
}

function startsWithArn(pieces: readonly PatternPiece[]): boolean {
  let text = '';
  for (const p of pieces) {
    text += p.text;
    if (text.length >= 4) break;
  }
  return text.startsWith('arn:');
}

export function matchArn(matcher: ArnMatcher, value: string): boolean {
  switch (matcher.kind) {
    case 'whole':
      return matchGlob(matcher.glob, value);
    case 'segments':
      return matchSegments(matcher.segments, value);
  }
}

/** Walks the value's segments in place (no slicing on the hot path). */
function matchSegments(segments: readonly Glob[], value: string): boolean {
  let start = 0;
  for (let i = 0; i < ARN_SEGMENTS - 1; i++) {
    const colon = value.indexOf(':', start);
    if (colon < 0) return false;
    const glob = segments[i]!;
    if (!matchGlobRange(glob, value, start, colon)) return false;
    start = colon + 1;
  }
  return matchGlobRange(segments[ARN_SEGMENTS - 1]!, value, start, value.length);
}
