/**
 * Dates for the `Date*` operators. AWS accepts, on either side (policy value or context value),
 * an ISO 8601 date or date-time (W3C profile: `2026-01-01`, `2026-01-01T12:00Z`,
 * `2026-01-01T12:00:00.000+01:00`) or epoch seconds (`1767225600`); both are compared as instants.
 * A date-time without a zone is taken as UTC. Anything else yields NaN (matches nothing).
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;
/** The common exact form `2026-01-01T12:00:00Z`, which Date.parse reads directly. */
const ISO_SECONDS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Milliseconds since the epoch, or NaN. */
export function parseInstant(value: string | number | boolean): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : Number.NaN;
  if (typeof value !== 'string') return Number.NaN;
  const text = value.trim();
  if (text.length === 20 && ISO_SECONDS_Z.test(text)) return Date.parse(text);
  if (EPOCH.test(text)) return Number(text) * 1000;
  const m = ISO.exec(text);
  if (m === null) return Number.NaN;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${normaliseZone(zone)}`);
  return Number.isNaN(ms) ? Number.NaN : ms;
}

function normaliseZone(zone: string): string {
  if (zone === 'Z' || zone === 'z') return 'Z';
  const sign = zone[0]!;
  const digits = zone.slice(1).replace(':', '');
  const hh = digits.slice(0, 2);
  const mm = digits.length > 2 ? digits.slice(2, 4) : '00';
  return `${sign}${hh}:${mm}`;
}
