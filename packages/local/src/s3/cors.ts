/**
 * Bucket CORS as S3 answers it: a preflight (OPTIONS with Origin and Access-Control-Request-Method)
 * is matched against the bucket's rules, first match wins, without authentication; an actual
 * request with an Origin gets the matching rule's headers added. Origins and allowed headers may
 * hold one `*` wildcard; header names compare case-insensitively.
 */
import type { LocalCorsRule } from '../types.js';
import { S3Error } from './errors.js';

export interface CorsRequest {
  readonly origin: string;
  readonly method: string;
  /** Access-Control-Request-Headers, lower-cased (preflight only). */
  readonly headers: readonly string[];
}

function wildcard(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

export function matchRule(
  rules: readonly LocalCorsRule[],
  request: CorsRequest,
): LocalCorsRule | undefined {
  return rules.find(
    (r) =>
      r.AllowedOrigins.some((o) => wildcard(o, request.origin, false)) &&
      (r.AllowedMethods as readonly string[]).includes(request.method) &&
      request.headers.every((h) => r.AllowedHeaders.some((a) => wildcard(a, h, true))),
  );
}

/** The headers S3 adds for a matched rule. */
export function corsHeaders(rule: LocalCorsRule, request: CorsRequest): Record<string, string> {
  const anyOrigin = rule.AllowedOrigins.includes('*');
  const out: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : request.origin,
    'access-control-allow-methods': rule.AllowedMethods.join(', '),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
  if (!anyOrigin) out['access-control-allow-credentials'] = 'true';
  if (request.headers.length > 0) out['access-control-allow-headers'] = request.headers.join(', ');
  if (rule.ExposeHeaders.length > 0) {
    out['access-control-expose-headers'] = rule.ExposeHeaders.join(', ');
  }
  if (rule.MaxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.MaxAgeSeconds);
  return out;
}

/** A preflight's answer headers, or the S3 error it gets. */
export function preflight(
  rules: readonly LocalCorsRule[],
  unverified: { origin?: string; method?: string; headers?: string },
): Record<string, string> {
  if (!unverified.origin || !unverified.method) {
    throw new S3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
  }
  if (rules.length === 0) {
    throw new S3Error('CORSResponse', 403, 'CORS is not enabled for this bucket.');
  }
  const request: CorsRequest = {
    origin: unverified.origin,
    method: unverified.method,
    headers: (unverified.headers ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
  };
  const rule = matchRule(rules, request);
  if (!rule) {
    throw new S3Error(
      'CORSResponse',
      403,
      "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  return corsHeaders(rule, request);
}
