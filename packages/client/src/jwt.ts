/**
 * Reads a JWT's payload WITHOUT verifying it: for display (who am I) and for knowing when to
 * refresh. Never for a decision: the API verifies every token.
 */
export function unverifiedClaims(token: string): Readonly<Record<string, unknown>> {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
