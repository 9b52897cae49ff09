import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  readAddress,
  readBinary,
  readBoolean,
  readCidr,
  readInstant,
  readNumber,
} from '../src/values.js';

const within = (cidr: string, ip: string) => {
  const c = readCidr(cidr);
  const a = readAddress(ip);
  return c !== null && a !== null && cidrContains(c, a);
};

describe('ip', () => {
  it('matches IPv4 blocks', () => {
    expect(within('203.0.113.0/24', '203.0.113.7')).toBe(true);
    expect(within('203.0.113.0/24', '203.0.114.7')).toBe(false);
    expect(within('10.0.0.0/8', '10.255.1.2')).toBe(true);
    expect(within('10.0.0.0/9', '10.128.0.1')).toBe(false);
    expect(within('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(within('192.0.2.1', '192.0.2.1')).toBe(true);
    expect(within('192.0.2.1', '192.0.2.2')).toBe(false);
    expect(within('192.0.2.1/32', '192.0.2.1')).toBe(true);
  });

  it('matches IPv6 blocks', () => {
    expect(within('2001:db8::/32', '2001:db8:1234::1')).toBe(true);
    expect(within('2001:DB8::/32', '2001:db9::1')).toBe(false);
    expect(within('2001:db8:1234:5678::/64', '2001:db8:1234:5678:aaaa:bbbb:cccc:dddd')).toBe(true);
    expect(within('::1', '::1')).toBe(true);
    expect(within('::/0', '2001:db8::1')).toBe(true);
  });

  it('treats IPv4-mapped IPv6 addresses as their IPv4 address', () => {
    expect(within('203.0.113.0/24', '::ffff:203.0.113.9')).toBe(true);
    expect(within('::ffff:203.0.113.0/120', '203.0.113.9')).toBe(true);
  });

  it('keeps families apart', () => {
    expect(within('0.0.0.0/0', '2001:db8::1')).toBe(false);
    expect(within('2001:db8::/32', '10.0.0.1')).toBe(false);
    expect(within('::/0', '10.0.0.1')).toBe(true); // ::/0 is every address, mapped IPv4 included
  });

  it('rejects malformed text', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.256',
      '1.2.3.4/33',
      'a.b.c.d',
      '2001:db8::1::2',
      '1:2:3:4:5:6:7:8:9',
      '::/129',
    ]) {
      expect(readCidr(bad)).toBeNull();
    }
    expect(readAddress('not an ip')).toBeNull();
    expect(readAddress('10.0.0.1/8')).toBeNull();
  });

  it('refuses what RFC 4632 / RFC 4291 text forms do not define (issue 8 examples)', () => {
    for (const bad of [
      '010.0.0.1', // a leading zero: octal to some readers
      '10.0.0.1/08', // a prefix with a leading zero
      'fe80::1%eth0', // a zone id is not part of a CIDR block
      ' 10.0.0.1', // white space
      '10.0.0.1 ',
      '1.2.3.4::', // a dotted quad only as the last 32 bits
      ':1::',
      '1::2::3',
    ]) {
      expect(readCidr(bad), bad).toBeNull();
      expect(readAddress(bad), bad).toBeNull();
    }
  });

  it('a request address may carry its full-length prefix, never a shorter one', () => {
    expect(readAddress('10.0.0.1/32')).toEqual(readAddress('10.0.0.1'));
    expect(readAddress('2001:db8::1/128')).toEqual(readAddress('2001:db8::1'));
    expect(readAddress('10.0.0.0/8')).toBeNull();
  });
});

describe('dates', () => {
  it('reads W3C ISO 8601 dates and date-times as instants', () => {
    expect(readInstant('2026-01-01')).toBe(Date.UTC(2026, 0, 1));
    expect(readInstant('2026-01')).toBe(Date.UTC(2026, 0, 1));
    expect(readInstant('2026-01-01T12:00:00Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(readInstant('2026-01-01T12:00Z')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(readInstant('2026-01-01T12:00:00.250Z')).toBe(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
    expect(readInstant('2026-01-01T13:00:00+01:00')).toBe(Date.UTC(2026, 0, 1, 12));
    expect(readInstant('2025-12-31T23:30:00-00:30')).toBe(Date.UTC(2026, 0, 1));
    expect(new Date(readInstant('0099-01-01') ?? Number.NaN).toISOString()).toBe(
      '0099-01-01T00:00:00.000Z',
    ); // not 1999
  });

  it('reads epoch seconds as text or number', () => {
    expect(readInstant('1767225600')).toBe(Date.UTC(2026, 0, 1));
    expect(readInstant(1767225600)).toBe(Date.UTC(2026, 0, 1));
    expect(readInstant('0')).toBe(0);
  });

  it('refuses what the W3C profile and epoch seconds do not define (issue 8 examples)', () => {
    for (const bad of [
      '',
      'yesterday',
      'March 7 2026',
      '2026-13-45',
      '2026-02-29', // not a leap year
      '2026-01-01 12:00Z', // a space for T
      '2026-01-01t12:00z', // lower case
      '2026-01-01T12:00:00', // a time without its zone
      '2026-01-01T13:00:00+0100', // a zone without its colon
      '2026-01-01T24:00:00Z',
      '2026-01-01T23:59:60Z', // leap second
      '1.5', // epoch seconds are whole
      '-5',
      '2026', // a year, or epoch seconds: AWS does not say which
      '1e9',
      ' 1767225600',
      true,
      1.5,
      2026,
    ]) {
      expect(readInstant(bad), String(bad)).toBeNull();
    }
  });
});

describe('numbers, booleans, binary', () => {
  it('reads integers and decimals, nothing else', () => {
    expect(readNumber('10')).toBe(10);
    expect(readNumber('-1.5')).toBe(-1.5);
    expect(readNumber('10.0')).toBe(10);
    expect(readNumber(1.5e3)).toBe(1500);
    for (const bad of ['', '+1', '1e3', '.5', '5.', ' 1', '1 ', 'ten', '0x10', true, Number.NaN]) {
      expect(readNumber(bad), String(bad)).toBeNull();
    }
  });

  it('reads true/false in any case and JSON booleans', () => {
    expect(readBoolean('true')).toBe('true');
    expect(readBoolean('FALSE')).toBe('false');
    expect(readBoolean(true)).toBe('true');
    for (const bad of ['yes', '1', 1, '', ' true']) expect(readBoolean(bad)).toBeNull();
  });

  it('reads padded base64 only', () => {
    expect(readBinary('QmluYXJ5VmFsdWU=')).toBe('BinaryValue');
    for (const bad of ['', 'abc', 'QmluYXJ5VmFsdWU', ' QmluYXJ5VmFsdWU=', 'not base64!', 1]) {
      expect(readBinary(bad), String(bad)).toBeNull();
    }
  });
});
