import { describe, expect, it } from 'vitest';
import { cidrContains, parseCidr, parseIp } from '../src/ip.js';

const within = (cidr: string, ip: string) => {
  const c = parseCidr(cidr);
  const a = parseIp(ip);
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
      expect(parseCidr(bad)).toBeNull();
    }
    expect(parseIp('not an ip')).toBeNull();
    expect(parseIp('10.0.0.1/8')).toBeNull();
  });
});
