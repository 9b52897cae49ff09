/**
 * The value grammar: how every condition value family is read, for policy values and request
 * context values alike. `validatePolicy`/`parsePolicy` refuse exactly the policy values the
 * readers here return null for, and `evaluate` reads request values with the same readers, so a
 * value refused in a policy can never satisfy a condition when it arrives in a request, and a
 * value accepted is read the same way on both sides (a property test checks both).
 *
 * Formats (IAM User Guide, "IAM JSON policy elements: Condition operators"); where AWS is silent
 * the value is refused:
 * - number: "an integer or decimal value": `-?digits(.digits)?` (no `+`, exponent, white space,
 *   `.5` or `5.`); a JSON number is read as itself when finite.
 * - date: "one of the W3C implementations of the ISO 8601 date formats" (www.w3.org/TR/NOTE-datetime:
 *   `YYYY-MM`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mmTZD`, `YYYY-MM-DDThh:mm:ssTZD`,
 *   `YYYY-MM-DDThh:mm:ss.sTZD`, TZD = `Z` | `+hh:mm` | `-hh:mm`; a time needs its zone; upper-case
 *   `T` and `Z`) "or in epoch (UNIX) time" (whole seconds, 1 to 12 digits). A bare `YYYY` is both
 *   a W3C year and an epoch time; AWS does not say which, so four digits alone are refused. A JSON
 *   number is read as its text. A fraction of a second has 1 to 9 digits and counts to the
 *   millisecond; second 60 (leap) is refused.
 * - bool: `true` / `false` (any case: AWS's examples use lower case, and the request side has
 *   always compared case-insensitively), or a JSON boolean.
 * - binary: base64 (RFC 4648, padded, not empty), compared byte for byte after decoding.
 * - ip: "the standard CIDR format" (RFC 4632 for IPv4: dotted decimal, no leading zeros — `010`
 *   could be octal; RFC 4291 text forms for IPv6, `::` once, a trailing dotted quad; no zone id
 *   such as `%eth0`); an optional `/prefix` (decimal without leading zeros, at most 32 or 128);
 *   without it "IAM uses the default prefix value of /32" (/128 for IPv6). A request value must
 *   be one address: bare, or with the full-length prefix.
 * - arn: `arn:partition:service:region:account:resource` — partition, service and resource not
 *   empty, no white space. A policy value may also be `*`, hold wildcards and policy variables.
 * - string: any scalar, read as its text.
 */
import type { ContextScalar, PolicyScalar } from './types.js';

/** The value type an operator reads (`Null` reads a boolean). */
export type ValueFamily = 'string' | 'numeric' | 'date' | 'boolean' | 'binary' | 'ip' | 'arn';

// ---------------------------------------------------------------------------------------------
// Numbers

const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** A number, or null when the value is not "an integer or decimal value". */
export function readNumber(value: PolicyScalar | ContextScalar): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

// ---------------------------------------------------------------------------------------------
// Dates

const W3C_DATE =
  /^(\d{4})-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2}))?)?$/;
const EPOCH_SECONDS = /^\d{1,12}$/;

/** Milliseconds since the epoch, or null when the value is not a documented date format. */
export function readInstant(value: PolicyScalar | ContextScalar): number | null {
  if (typeof value === 'boolean') return null;
  const text = typeof value === 'number' ? String(value) : value;
  if (text.length === 20 && SECONDS_Z.test(text)) return readSecondsZ(text);
  if (EPOCH_SECONDS.test(text)) return text.length === 4 ? null : Number(text) * 1000;
  const m = W3C_DATE.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const zone = m[8] === undefined ? 0 : zoneMinutes(m[8]);
  if (zone === null || !validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  // Date.UTC reads years 0–99 as 1900–1999: compute such a year 400 years on (the Gregorian
  // calendar repeats every 400 years, 146,097 days) and step back.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute - zone, second, ms);
  return Date.UTC(year + 400, month - 1, day, hour, minute - zone, second, ms) - CYCLE_400_MS;
}

const CYCLE_400_MS = 146_097 * 86_400_000;

/** The common form `YYYY-MM-DDThh:mm:ssZ`, read without a match array (the hot path). */
const SECONDS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function readSecondsZ(text: string): number | null {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 100 || !validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return year < 100 ? readInstant(`${text.slice(0, 19)}+00:00`) : null;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The decimal number written by `n` ASCII digits of `text` from `at` (already checked digits). */
function digitsAt(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + text.charCodeAt(i) - 48;
  return v;
}

function zoneMinutes(zone: string): number | null {
  if (zone === 'Z') return 0;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(4, 6));
  if (hours > 23 || minutes > 59) return null;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

// ---------------------------------------------------------------------------------------------
// Booleans and binary

const BOOLEAN = /^(?:true|false)$/i;

/** `'true'` / `'false'`, or null. */
export function readBoolean(value: PolicyScalar | ContextScalar): 'true' | 'false' | null {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string' || !BOOLEAN.test(value)) return null;
  return value.toLowerCase() as 'true' | 'false';
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The decoded bytes (one character per byte), or null when the value is not padded base64. */
export function readBinary(value: PolicyScalar | ContextScalar): string | null {
  if (typeof value !== 'string' || value.length === 0 || !BASE64.test(value)) return null;
  return atob(value);
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR blocks

/**
 * An address or block over 16 bytes: an IPv4 address is held in its IPv4-mapped IPv6 form
 * (`::ffff:a.b.c.d`, prefix + 96), so an IPv4 block matches an IPv4 request address and the same
 * address written IPv4-mapped, and never an unrelated IPv6 address.
 */
export interface Cidr {
  readonly bytes: Uint8Array;
  /** Prefix length in bits over the 16-byte form (128: one address). */
  readonly bits: number;
}

const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

/** An address or CIDR block (policy side), or null. */
export function readCidr(value: PolicyScalar | ContextScalar): Cidr | null {
  if (typeof value !== 'string') return null;
  const slash = value.indexOf('/');
  const address = readAddressText(slash < 0 ? value : value.slice(0, slash));
  if (address === null) return null;
  const max = address.v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const prefix = value.slice(slash + 1);
    if (!PREFIX.test(prefix) || Number(prefix) > max) return null;
    bits = Number(prefix);
  }
  return { bytes: address.bytes, bits: address.v4 ? bits + 96 : bits };
}

/** One address (request side): a value `readCidr` reads as a single address, or null. */
export function readAddress(value: PolicyScalar | ContextScalar): Uint8Array | null {
  const cidr = readCidr(value);
  return cidr !== null && cidr.bits === 128 ? cidr.bytes : null;
}

export function cidrContains(cidr: Cidr, ip: Uint8Array): boolean {
  const full = cidr.bits >> 3;
  for (let i = 0; i < full; i++) if (cidr.bytes[i] !== ip[i]) return false;
  const rest = cidr.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (cidr.bytes[full]! & mask) === (ip[full]! & mask);
}

interface Address {
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

function readAddressText(text: string): Address | null {
  if (text.includes(':')) {
    const bytes = readIpv6(text);
    return bytes === null ? null : { bytes, v4: false };
  }
  const octets = readIpv4(text);
  if (octets === null) return null;
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(octets, 12);
  return { bytes, v4: true };
}

/** Four decimal octets, 0–255, without leading zeros; read without allocating substrings. */
function readIpv4(text: string): number[] | null {
  const out: number[] = [];
  let value = 0;
  let digits = 0;
  let leadingZero = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final '.' closes the last octet
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) leadingZero = true;
      value = value * 10 + (c - 48);
      if (++digits > 3) return null;
    } else if (c === 46) {
      if (digits === 0 || leadingZero || value > 255 || out.length === 4) return null;
      out.push(value);
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return out.length === 4 ? out : null;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/** RFC 4291 section 2.2 text forms: eight groups, `::` once, an optional trailing dotted quad. */
function readIpv6(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = readGroups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? readGroups(halves[1]!, true) : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    bytes[i * 2] = groups[i]! >> 8;
    bytes[i * 2 + 1] = groups[i]! & 0xff;
  }
  return bytes;
}

/** Hex groups of one side of `::`; a dotted quad (two groups) only last, and only where allowed. */
function readGroups(text: string, quadAllowed: boolean): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (quadAllowed && i === parts.length - 1 && part.includes('.')) {
      const quad = readIpv4(part);
      if (quad === null) return null;
      out.push((quad[0]! << 8) | quad[1]!, (quad[2]! << 8) | quad[3]!);
    } else {
      if (!HEX_GROUP.test(part)) return null;
      out.push(Number.parseInt(part, 16));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// ARNs

const WHITE_SPACE = /\s/;

/**
 * `arn:partition:service:region:account:resource`: six parts (the resource may hold colons),
 * partition, service and resource not empty, no white space. With `masked`, each `${...}` policy
 * variable counts as one character (its colons do not split parts).
 */
export function isArnShaped(text: string, masked = false): boolean {
  const arn = masked && text.includes('${') ? maskPolicyVariables(text) : text;
  if (!arn.startsWith('arn:')) return false;
  const partitionEnd = arn.indexOf(':', 4);
  const serviceEnd = partitionEnd < 0 ? -1 : arn.indexOf(':', partitionEnd + 1);
  const regionEnd = serviceEnd < 0 ? -1 : arn.indexOf(':', serviceEnd + 1);
  const accountEnd = regionEnd < 0 ? -1 : arn.indexOf(':', regionEnd + 1);
  return (
    accountEnd >= 0 &&
    partitionEnd > 4 &&
    serviceEnd > partitionEnd + 1 &&
    accountEnd < arn.length - 1 &&
    !WHITE_SPACE.test(arn)
  );
}

/** Replace each `${...}` by one character so colons inside variables do not split ARN parts. */
function maskPolicyVariables(text: string): string {
  return text.replace(/\$\{[^}]*\}/g, '_');
}

/** A policy value of an Arn* operator: `*` or an ARN (wildcards and policy variables allowed). */
export function isArnPattern(value: PolicyScalar): boolean {
  return typeof value === 'string' && (value === '*' || isArnShaped(value, true));
}

/**
 * A request value of an Arn* operator: an ARN, by the same shape rule as a policy value (a
 * `${...}` counts as one character there too, so both sides accept the same texts); its
 * characters are all literal when matched.
 */
export function readArn(value: ContextScalar): string | null {
  return typeof value === 'string' && isArnShaped(value, true) ? value : null;
}

// ---------------------------------------------------------------------------------------------
// Policy values, by family

/** Whether a policy value is a well-formed value of its operator's family. */
export function isPolicyValue(family: ValueFamily, value: PolicyScalar): boolean {
  switch (family) {
    case 'string':
      return true;
    case 'numeric':
      return readNumber(value) !== null;
    case 'date':
      return readInstant(value) !== null;
    case 'boolean':
      return readBoolean(value) !== null;
    case 'binary':
      return readBinary(value) !== null;
    case 'ip':
      return readCidr(value) !== null;
    case 'arn':
      return isArnPattern(value);
  }
}

/** What a family's values look like, for messages. */
export const FAMILY_FORMS: Readonly<Record<ValueFamily, string>> = {
  string: 'a string',
  numeric: 'an integer or decimal number (e.g. "10" or "-1.5")',
  date: 'a W3C ISO 8601 date or date-time with its zone (e.g. "2026-01-31", "2026-01-31T12:00:00Z") or epoch seconds (e.g. "1767225600")',
  boolean: '"true" or "false"',
  binary: 'padded base64 (e.g. "QmluYXJ5VmFsdWU=")',
  ip: 'an IPv4/IPv6 address or CIDR block (e.g. "203.0.113.0/24", "2001:db8::/32"; no leading zeros, no zone id)',
  arn: 'an ARN (arn:partition:service:region:account:resource; wildcards allowed) or "*"',
};
