/**
 * Verified claims + transport facts -> the condition-key context a trust policy is evaluated
 * against. Every verified claim becomes `token:<claim>`; arrays stay multivalued keys; nested
 * objects are not condition values and are left out.
 */
import type { ContextScalar, ContextValue, RequestPrincipal } from '@tessera/policy';
import type { RequestOrigin, VerifiedToken } from './types.js';

function contextValue(value: unknown): ContextValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (Array.isArray(value)) {
    const scalars = value.filter(
      (v): v is ContextScalar =>
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
    );
    return scalars.length === value.length ? scalars : undefined;
  }
  return undefined;
}

export function requestContext(
  token: VerifiedToken,
  origin: RequestOrigin,
  now: Date,
  requestedDuration: number | undefined,
): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const [name, value] of Object.entries(token.claims)) {
    const v = contextValue(value);
    if (v !== undefined) context[`token:${name}`] = v;
  }
  context['aws:SourceIp'] = origin.sourceIp;
  context['aws:UserAgent'] = origin.userAgent;
  context['aws:CurrentTime'] = now.toISOString();
  context['aws:EpochTime'] = Math.floor(now.getTime() / 1000);
  context['aws:SecureTransport'] = origin.secureTransport;
  if (requestedDuration !== undefined) context['tessera:RequestedDuration'] = requestedDuration;
  return context;
}

/** `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC` -> `cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC`. */
export function federatedPrincipal(issuer: string): RequestPrincipal {
  const url = new URL(issuer);
  return { type: 'Federated', id: `${url.host}${url.pathname}`.replace(/\/$/, '') };
}
