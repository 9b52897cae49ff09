/**
 * The configuration of Tessera's own OIDC issuer (the web-identity vendor), described by the
 * schemas below (part of `envSchema`): `TESSERA_OIDC_ISSUER` (the issuer URL: https, or http on
 * loopback), `TESSERA_OIDC_AUDIENCE` (the IAM OIDC provider's client id), `TESSERA_OIDC_KEYS`
 * (JSON `[{keyId, signsFrom}]`: the KMS keys and the instant each signs from, key-rotation.ts).
 * All or none: none disables the vendor and its well-known routes.
 */
import * as z from 'zod/mini';
import type { ConfigProblem } from './errors.js';

export interface OidcKeyConfig {
  /** KMS key id or ARN. */
  readonly keyId: string;
  readonly signsFrom: Date;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string;
  /** In signing order. Empty only when the signing keys are injected (local stack, tests). */
  readonly keys: readonly OidcKeyConfig[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function issuerUrl(value: string): boolean {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || url.search || url.hash) return false;
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
}

const keySchema = z.strictObject({
  keyId: z.string().check(z.minLength(1)),
  signsFrom: z
    .string()
    .check(z.refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO 8601 time')),
});

/** The variables' schemas, spread into `envSchema`. */
export function oidcEnvSchemas(jsonText: z.ZodMiniType<unknown, string>) {
  return {
    TESSERA_OIDC_ISSUER: z.optional(
      z.string().check(z.refine(issuerUrl, 'must be an https URL (or http on loopback), no query')),
    ),
    TESSERA_OIDC_AUDIENCE: z.optional(
      z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, 'must be 1..255 printable characters')),
    ),
    TESSERA_OIDC_KEYS: z.optional(z.pipe(jsonText, z.array(keySchema))),
  };
}

/** The issuer's configuration from the parsed variables; `problems` gets the all-or-none rule. */
export function oidcConfig(
  v: {
    TESSERA_OIDC_ISSUER?: string | undefined;
    TESSERA_OIDC_AUDIENCE?: string | undefined;
    TESSERA_OIDC_KEYS?: readonly { keyId: string; signsFrom: string }[] | undefined;
  },
  problems: ConfigProblem[],
): OidcConfig | null {
  const {
    TESSERA_OIDC_ISSUER: issuer,
    TESSERA_OIDC_AUDIENCE: audience,
    TESSERA_OIDC_KEYS: keys,
  } = v;
  if (issuer === undefined && audience === undefined && keys === undefined) return null;
  const missing = (name: string) =>
    problems.push({
      code: 'ConfigInvalid',
      pointer: `/${name}`,
      message: 'is required with the other TESSERA_OIDC_* variables',
    });
  if (issuer === undefined) missing('TESSERA_OIDC_ISSUER');
  if (audience === undefined) missing('TESSERA_OIDC_AUDIENCE');
  if (issuer === undefined || audience === undefined) return null;
  return {
    issuer: issuer.replace(/\/+$/, ''),
    audience,
    keys: (keys ?? []).map((k) => ({ keyId: k.keyId, signsFrom: new Date(k.signsFrom) })),
  };
}
