/**
 * What the page needs to sign in and call the API: `config.json` beside `index.html` (the local
 * stack serves it; the deployment writes it next to the built files).
 */
import type { PoolConfig } from '@tessera/client';

export interface PortalConfig {
  readonly api: string;
  readonly region: string;
  /** The pool's issuer (`iss`). */
  readonly issuer: string;
  /** The portal's app client (public, authorization code + PKCE). */
  readonly clientId: string;
  readonly cognitoIdp: string;
  readonly hostedUi: string;
  readonly tokenUse: 'id' | 'access';
  readonly adminGroup: string;
}

const FIELDS = [
  'api',
  'region',
  'issuer',
  'clientId',
  'cognitoIdp',
  'hostedUi',
  'tokenUse',
  'adminGroup',
] as const;

export type ConfigResult =
  | { readonly ok: true; readonly config: PortalConfig }
  | { readonly ok: false; readonly message: string };

export async function loadConfig(): Promise<ConfigResult> {
  let raw: unknown;
  try {
    const res = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
    if (!res.ok) return { ok: false, message: `config.json answered ${res.status}` };
    raw = await res.json();
  } catch {
    return { ok: false, message: 'config.json cannot be read' };
  }
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const missing = FIELDS.filter((f) => typeof record[f] !== 'string' || record[f] === '');
  if (missing.length > 0) return { ok: false, message: `config.json lacks ${missing.join(', ')}` };
  return { ok: true, config: record as unknown as PortalConfig };
}

export function poolOf(config: PortalConfig): PoolConfig {
  return {
    issuer: config.issuer,
    region: config.region,
    clientId: config.clientId,
    cognitoIdp: config.cognitoIdp,
    hostedUi: config.hostedUi,
    tokenUse: config.tokenUse,
    scopes: ['openid', 'email', 'profile'],
  };
}
