/**
 * IP addresses and CIDR blocks for `IpAddress`/`NotIpAddress` (RFC 4632 CIDR, IPv4 and IPv6).
 * Every address is held as 16 bytes: an IPv4 address becomes its IPv4-mapped IPv6 form
 * (`::ffff:a.b.c.d`, prefix + 96), so an IPv4 block matches an IPv4 request address and the same
 * address written IPv4-mapped, and an IPv6 block never matches an unrelated IPv4 address.
 * A value without `/prefix` is a single address (/32 or /128). Unparseable text yields null.
 */

export interface Cidr {
  readonly bytes: Uint8Array;
  /** Prefix length in bits over the 16-byte form. */
  readonly bits: number;
}

export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const parsed = parseAddress(addrText.trim());
  if (parsed === null) return null;
  const max = parsed.v4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(p)) return null;
    bits = Number(p);
    if (bits > max) return null;
  }
  return { bytes: parsed.bytes, bits: parsed.v4 ? bits + 96 : bits };
}

export function parseIp(text: string): Uint8Array | null {
  const parsed = parseAddress(text.trim());
  return parsed === null ? null : parsed.bytes;
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

function parseAddress(text: string): Address | null {
  if (text.includes(':')) {
    const bytes = parseV6(text);
    return bytes === null ? null : { bytes, v4: false };
  }
  const v4 = parseV4(text);
  if (v4 === null) return null;
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(v4, 12);
  return { bytes, v4: true };
}

/** Four decimal octets (0–255, at most three digits each), read without allocating substrings. */
function parseV4(text: string): number[] | null {
  const out: number[] = [];
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final '.' closes the last octet
    if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      if (++digits > 3) return null;
    } else if (c === 46) {
      if (digits === 0 || value > 255 || out.length === 4) return null;
      out.push(value);
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return out.length === 4 ? out : null;
}

function parseV6(text: string): Uint8Array | null {
  const zone = text.indexOf('%');
  const body = zone < 0 ? text : text.slice(0, zone);
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/** Hex groups of one side of `::`; a trailing dotted quad counts as two groups. */
function parseGroups(text: string): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseV4(p);
      if (v4 === null) return null;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
      out.push(Number.parseInt(p, 16));
    }
  }
  return out;
}
