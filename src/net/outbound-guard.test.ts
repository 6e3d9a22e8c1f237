import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpReceiver, type HttpReceiver } from '../../test/receivers/http-receiver.ts';
import { ChannelError } from '../channels/channel.ts';
import {
  assertOutboundHost,
  assertOutboundUrl,
  outboundDispatcher,
  pinOutboundHost,
  refusedAddressReason,
} from './outbound-guard.ts';

async function refusal(promise: Promise<unknown>): Promise<ChannelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChannelError);
  return err as ChannelError;
}

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'private (carrier-grade NAT)'],
    ['100.127.255.254', 'private (carrier-grade NAT)'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1%eth0', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback (IPv4-mapped)'],
    ['::ffff:7f00:1', 'loopback (IPv4-mapped)'],
    ['::ffff:a9fe:a9fe', 'link-local (IPv4-mapped)'],
    ['::ffff:8.8.8.8', 'IPv4-mapped'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['fec0::1', 'site-local'],
    ['feff::1', 'site-local'],
    ['::127.0.0.1', 'loopback (IPv4-mapped)'],
    ['::7f00:1', 'loopback (IPv4-compatible)'],
    ['::a00:1', 'private (IPv4-compatible)'],
    ['::808:808', 'IPv4-compatible'],
    ['64:ff9b::127.0.0.1', 'loopback (NAT64)'],
    ['64:ff9b::a9fe:a9fe', 'link-local (NAT64)'],
    ['64:ff9b::8.8.8.8', 'NAT64'],
    ['2002:7f00:1::', 'loopback (6to4)'],
    ['2002:c0a8:101::1', 'private (6to4)'],
    ['2002:808:808::1', '6to4'],
    ['::ffff:0:127.0.0.1', 'loopback (IPv4-translated)'],
    ['::ffff:0:7f00:1', 'loopback (IPv4-translated)'],
    ['64:ff9b:1::7f00:1', 'loopback (NAT64 (local-use))'],
    ['192.0.0.170', 'reserved (IETF protocol assignments)'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['255.255.255.255', 'reserved'],
    ['100::1', 'discard-only'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['127.1', 'not an IP address'],
  ])('refuses %s as %s', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.0',
    '2606:4700::1111',
    '2606:4700:4700::1001',
    'fbff::1',
    '2001:db8::ffff:127.0.0.1',
    '2003::1',
    '64:ff9c::7f00:1',
  ])('allows public %s', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });
});

describe('assertOutboundUrl', () => {
  it('refuses loopback names and literals with a non-retryable error naming the reason', async () => {
    for (const url of [
      'http://localhost:8080/hook',
      'http://127.0.0.1/x',
      'http://[::1]:9/x',
      'https://[::ffff:127.0.0.1]/',
      'http://[::127.0.0.1]/',
      'http://[::7f00:1]:8080/',
      'http://[64:ff9b::127.0.0.1]/',
      'http://[2002:7f00:1::1]/',
      // The forms a review found passing before; WHATWG URL parsing keeps each an IPv6 literal.
      'http://[::127.0.0.1]/',
      'http://[2002:7f00:1::]/',
      'http://[::ffff:0:7f00:1]/',
      'http://[64:ff9b:1::7f00:1]/',
    ]) {
      const err = await refusal(assertOutboundUrl(url, false));
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/loopback/);
      expect(err.message).toContain('HERALD_ALLOW_PRIVATE_NETWORKS');
    }
  });

  it('refuses private and link-local literals, including the cloud metadata address', async () => {
    expect(
      (await refusal(assertOutboundUrl('http://169.254.169.254/latest/meta-data', false))).message,
    ).toContain('link-local');
    expect((await refusal(assertOutboundUrl('http://10.0.0.5:3000', false))).message).toContain('private');
    expect((await refusal(assertOutboundUrl('http://198.18.0.10/', false))).message).toContain(
      'benchmarking',
    );
    expect((await refusal(assertOutboundUrl('http://[fec0::5]/', false))).message).toContain('site-local');
    expect((await refusal(assertOutboundUrl('http://[64:ff9b::a9fe:a9fe]/', false))).message).toContain(
      'link-local (NAT64)',
    );
    expect((await refusal(assertOutboundUrl('http://198.19.1.1/', false))).message).toContain('benchmarking');
    // WHATWG URL parsing turns decimal and hex hosts into dotted IPv4 before the check sees them.
    expect((await refusal(assertOutboundUrl('http://2130706433/', false))).message).toContain('loopback');
    expect((await refusal(assertOutboundUrl('http://0x7f.1/', false))).message).toContain('loopback');
  });

  it('allows only http and https, and refuses garbage', async () => {
    expect((await refusal(assertOutboundUrl('file:///etc/passwd', true))).message).toContain('file:');
    expect((await refusal(assertOutboundUrl('gopher://example.com', true))).retryable).toBe(false);
    expect((await refusal(assertOutboundUrl('not a url', true))).message).toBe('invalid URL');
  });

  it('lets public literals and anything at all through when private networks are allowed', async () => {
    expect((await assertOutboundUrl('https://93.184.215.14/hook', false)).hostname).toBe('93.184.215.14');
    expect((await assertOutboundUrl('http://localhost:9/x', true)).port).toBe('9');
    await expect(assertOutboundHost('10.0.0.1', true)).resolves.toBeUndefined();
  });

  it('reports a host that does not resolve', async () => {
    // Permanent on NXDOMAIN; an offline resolver answers EAI_AGAIN instead, which stays retryable.
    const err = await refusal(assertOutboundHost('no-such-host.invalid', false));
    expect(err.message).toMatch(/^cannot resolve no-such-host\.invalid: (ENOTFOUND|EAI_AGAIN)/);
    expect(err.retryable).toBe(!err.message.includes('ENOTFOUND'));
  });
});

describe('pinOutboundHost', () => {
  it('resolves once, checks every address and answers the first', async () => {
    const calls: string[] = [];
    const answers = [
      [{ address: '93.184.215.14' }, { address: '2606:4700::1111' }],
      [{ address: '127.0.0.1' }],
    ];
    const lookup = async (host: string) => {
      calls.push(host);
      return answers[calls.length - 1] ?? [];
    };
    expect(await pinOutboundHost('mail.example.com', false, lookup)).toBe('93.184.215.14');
    expect(calls).toEqual(['mail.example.com']);
    // The rebinding answer on a second lookup is refused, not connected to.
    expect((await refusal(pinOutboundHost('mail.example.com', false, lookup))).message).toContain('loopback');
  });

  it('refuses a name when any of its addresses is private', async () => {
    const lookup = async () => [{ address: '93.184.215.14' }, { address: '::ffff:10.0.0.1' }];
    expect((await refusal(pinOutboundHost('mixed.example.com', false, lookup))).message).toContain('private');
    expect(await pinOutboundHost('mixed.example.com', true, lookup)).toBe('93.184.215.14');
  });

  it('checks IP literals without resolving them', async () => {
    const lookup = async (): Promise<never> => {
      throw new Error('must not resolve');
    };
    expect(await pinOutboundHost('[2606:4700::1111]', false, lookup)).toBe('2606:4700::1111');
    expect((await refusal(pinOutboundHost('[::127.0.0.1]', false, lookup))).message).toContain('loopback');
  });
});

describe('outboundDispatcher', () => {
  let receiver: HttpReceiver;
  beforeEach(async () => {
    receiver = await createHttpReceiver();
  });
  afterEach(() => receiver.close());

  it('re-checks the resolved address when the socket opens', async () => {
    const port = new URL(receiver.url).port;
    const dispatcher = await outboundDispatcher(false);
    const err = await refusal(
      request(`http://localhost:${port}/`, { method: 'POST', body: '{}', dispatcher }),
    );
    expect(err.message).toContain('loopback');
    expect(receiver.received).toHaveLength(0);
    expect(await outboundDispatcher(true)).toBeUndefined();
  });
});
