/** "Did you mean X": the closest known name to a misspelt one. */

/** Levenshtein distance (insert, delete, substitute: cost 1 each). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate closest to `written`: a case-insensitive equal wins outright; otherwise the
 * nearest within a third of the word's length (at least 2 edits). Undefined when nothing is close.
 */
export function closestName(written: string, candidates: readonly string[]): string | undefined {
  if (written.length > 200) return undefined;
  const lower = written.toLowerCase();
  const sameLetters = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const limit = Math.max(2, Math.floor(written.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** ` — did you mean "X"?` or the empty string. */
export function didYouMean(written: string, candidates: readonly string[]): string {
  const closest = closestName(written, candidates);
  return closest === undefined ? '' : ` — did you mean "${closest}"?`;
}
