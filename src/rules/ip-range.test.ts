import { describe, expect, it } from 'vitest';
import { isIpInRange, parseCidr, parseIpAddress } from './ip-range.ts';

describe('parseIpAddress', () => {
  it('parses IPv4 and IPv6 into bytes', () => {
    expect(parseIpAddress('192.168.1.5')).toEqual({ version: 4, bytes: Uint8Array.from([192, 168, 1, 5]) });
    const v6 = parseIpAddress('2001:db8::1');
    expect(v6?.version).toBe(6);
    expect([...(v6?.bytes ?? [])]).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...(parseIpAddress('::')?.bytes ?? [])]).toEqual(new Array(16).fill(0));
    expect([...(parseIpAddress('1::')?.bytes ?? [])].slice(0, 2)).toEqual([0, 1]);
  });

  it('treats IPv4-mapped IPv6 as IPv4, in either notation', () => {
    expect(parseIpAddress('::ffff:192.168.1.5')).toEqual({
      version: 4,
      bytes: Uint8Array.from([192, 168, 1, 5]),
    });
    expect(parseIpAddress('::ffff:c0a8:105')).toEqual({
      version: 4,
      bytes: Uint8Array.from([192, 168, 1, 5]),
    });
  });

  it('ignores a zone id and rejects non-addresses', () => {
    expect(parseIpAddress('fe80::1%eth0')?.version).toBe(6);
    expect(parseIpAddress('not-an-ip')).toBeNull();
    expect(parseIpAddress('256.1.1.1')).toBeNull();
    expect(parseIpAddress('')).toBeNull();
    expect(parseIpAddress('192.168.1.0/24')).toBeNull();
  });

  it('reads only canonical spellings, not the shorthand some parsers accept', () => {
    for (const text of ['127.1', '0x7f.0.0.1', '2130706433', '10.0.0.01', '[::1]', 'fe80::1%']) {
      expect(parseIpAddress(text), text).toBeNull();
    }
    expect(isIpInRange('127.1', '127.0.0.0/8')).toBe(false);
  });
});

describe('parseCidr', () => {
  it('accepts prefixes up to the address width', () => {
    expect(parseCidr('10.0.0.0/0')?.prefix).toBe(0);
    expect(parseCidr('10.0.0.0/32')?.prefix).toBe(32);
    expect(parseCidr('2001:db8::/128')?.prefix).toBe(128);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('2001:db8::/129')).toBeNull();
  });

  it('rejects malformed ranges', () => {
    for (const text of ['10.0.0.0', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/8.5', 'x/8', '/8']) {
      expect(parseCidr(text), text).toBeNull();
    }
  });

  it('reads an IPv4-mapped IPv6 range as the IPv4 range it describes', () => {
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({
      version: 4,
      bytes: Uint8Array.from([10, 0, 0, 0]),
      prefix: 8,
    });
    expect(parseCidr('::ffff:10.0.0.0/64')).toBeNull();
  });
});

describe('isIpInRange with IPv4', () => {
  it('tests /24 membership', () => {
    expect(isIpInRange('192.168.1.5', '192.168.1.0/24')).toBe(true);
    expect(isIpInRange('192.168.1.255', '192.168.1.0/24')).toBe(true);
    expect(isIpInRange('192.168.2.1', '192.168.1.0/24')).toBe(false);
    expect(isIpInRange('10.0.0.1', '192.168.1.0/24')).toBe(false);
  });

  it('handles non-byte-aligned masks', () => {
    expect(isIpInRange('172.16.0.1', '172.16.0.0/12')).toBe(true);
    expect(isIpInRange('172.31.255.255', '172.16.0.0/12')).toBe(true);
    expect(isIpInRange('172.32.0.0', '172.16.0.0/12')).toBe(false);
  });

  it('handles the edge masks /0, /31 and /32', () => {
    expect(isIpInRange('8.8.8.8', '0.0.0.0/0')).toBe(true);
    expect(isIpInRange('10.0.0.4', '10.0.0.4/31')).toBe(true);
    expect(isIpInRange('10.0.0.5', '10.0.0.4/31')).toBe(true);
    expect(isIpInRange('10.0.0.6', '10.0.0.4/31')).toBe(false);
    expect(isIpInRange('10.0.0.3', '10.0.0.4/31')).toBe(false);
    expect(isIpInRange('10.0.0.4', '10.0.0.4/32')).toBe(true);
    expect(isIpInRange('10.0.0.5', '10.0.0.4/32')).toBe(false);
  });

  it('ignores host bits set in the range', () => {
    expect(isIpInRange('192.168.1.77', '192.168.1.5/24')).toBe(true);
  });

  it('counts IPv4-mapped IPv6 clients as IPv4', () => {
    expect(isIpInRange('::ffff:192.168.1.5', '192.168.1.0/24')).toBe(true);
    expect(isIpInRange('::ffff:192.168.2.5', '192.168.1.0/24')).toBe(false);
    expect(isIpInRange('192.168.1.5', '::ffff:192.168.1.0/120')).toBe(true);
  });
});

describe('isIpInRange with IPv6', () => {
  it('tests /32 membership', () => {
    expect(isIpInRange('2001:db8::1', '2001:db8::/32')).toBe(true);
    expect(isIpInRange('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::/32')).toBe(true);
    expect(isIpInRange('2001:db9::1', '2001:db8::/32')).toBe(false);
  });

  it('tests /64 membership', () => {
    expect(isIpInRange('2001:db8:0:1::abcd', '2001:db8:0:1::/64')).toBe(true);
    expect(isIpInRange('2001:db8:0:2::abcd', '2001:db8:0:1::/64')).toBe(false);
  });

  it('tests /128, /127 and /0', () => {
    expect(isIpInRange('2001:db8::1', '2001:db8::1/128')).toBe(true);
    expect(isIpInRange('2001:db8::2', '2001:db8::1/128')).toBe(false);
    expect(isIpInRange('2001:db8::3', '2001:db8::2/127')).toBe(true);
    expect(isIpInRange('2001:db8::4', '2001:db8::2/127')).toBe(false);
    expect(isIpInRange('fe80::1', '::/0')).toBe(true);
  });

  it('tests non-byte-aligned masks such as fc00::/7', () => {
    expect(isIpInRange('fd12:3456::1', 'fc00::/7')).toBe(true);
    expect(isIpInRange('fe80::1', 'fc00::/7')).toBe(false);
  });

  it('accepts zone ids on the address', () => {
    expect(isIpInRange('fe80::1%eth0', 'fe80::/10')).toBe(true);
  });
});

describe('isIpInRange across families and notations', () => {
  it('never matches an IPv4 address against an IPv6 range or the reverse', () => {
    expect(isIpInRange('10.0.0.1', '::/0')).toBe(false);
    expect(isIpInRange('2001:db8::1', '0.0.0.0/0')).toBe(false);
  });

  it('matches a bare address entry in any notation', () => {
    expect(isIpInRange('2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1')).toBe(true);
    expect(isIpInRange('::ffff:10.0.0.1', '10.0.0.1')).toBe(true);
    expect(isIpInRange('10.0.0.1', '10.0.0.2')).toBe(false);
  });

  it('never matches unparsable input', () => {
    expect(isIpInRange('nope', '10.0.0.0/8')).toBe(false);
    expect(isIpInRange('10.0.0.1', 'nope/8')).toBe(false);
    expect(isIpInRange('10.0.0.1', 'office')).toBe(false);
  });
});
