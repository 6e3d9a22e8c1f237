import { lookup } from 'node:dns';
import { lookup as lookupAsync } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { ChannelError } from '../channels/channel.ts';

/**
 * Server-side request forgery guard for every outbound call whose target a user can configure (webhooks,
 * channel base URLs, attachment downloads). Unless the operator allows private networks, a target may
 * only resolve to public addresses.
 */

interface Range {
  prefix: number[];
  bits: number;
  reason: string;
}

const IPV4_RANGES: Range[] = [
  { prefix: [0], bits: 8, reason: 'unspecified' },
  { prefix: [10], bits: 8, reason: 'private' },
  { prefix: [100, 64], bits: 10, reason: 'private (carrier-grade NAT)' },
  { prefix: [127], bits: 8, reason: 'loopback' },
  { prefix: [169, 254], bits: 16, reason: 'link-local' },
  { prefix: [172, 16], bits: 12, reason: 'private' },
  { prefix: [192, 168], bits: 16, reason: 'private' },
  { prefix: [224], bits: 4, reason: 'multicast' },
  { prefix: [240], bits: 4, reason: 'reserved' },
];

const IPV6_RANGES: Range[] = [
  { prefix: new Array(16).fill(0), bits: 128, reason: 'unspecified' },
  { prefix: [...new Array(15).fill(0), 1], bits: 128, reason: 'loopback' },
  { prefix: [0xfe, 0x80], bits: 10, reason: 'link-local' },
  { prefix: [0xfc], bits: 7, reason: 'unique-local' },
  { prefix: [0xff], bits: 8, reason: 'multicast' },
];

const IPV4_MAPPED_PREFIX = [...new Array(10).fill(0), 0xff, 0xff];

function inRange(bytes: number[], range: Range): boolean {
  for (let bit = 0; bit < range.bits; bit += 8) {
    const take = Math.min(8, range.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[bit / 8] & mask) !== ((range.prefix[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv6Bytes(address: string): number[] {
  const [head, tail] = address.split('%')[0].split('::') as [string, string | undefined];
  const groups = (part: string | undefined): number[] => {
    if (!part) return [];
    return part.split(':').flatMap((group) => {
      if (!group.includes('.')) return [Number.parseInt(group, 16)];
      const [a, b, c, d] = group.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const left = groups(head);
  const right = groups(tail);
  const words = [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

/**
 * Why an IP address must not be reached without `allowPrivate`, or undefined when it is public.
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is judged by its IPv4 part and refused even then: it only shows up
 * when someone is trying to dress up an address.
 */
export function refusedAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) {
    const bytes = address.split('.').map(Number);
    return IPV4_RANGES.find((range) => inRange(bytes, range))?.reason;
  }
  if (family !== 6) return 'not an IP address';
  const bytes = ipv6Bytes(address);
  if (inRange(bytes, { prefix: IPV4_MAPPED_PREFIX, bits: 96, reason: '' })) {
    const inner = refusedAddressReason(bytes.slice(12).join('.'));
    return inner ? `${inner} (IPv4-mapped)` : 'IPv4-mapped';
  }
  return IPV6_RANGES.find((range) => inRange(bytes, range))?.reason;
}

function refusal(host: string, address: string, reason: string): ChannelError {
  const shown = host === address ? address : `${host} (${address})`;
  return new ChannelError(
    `refused to connect to ${shown}: ${reason} address; set HERALD_ALLOW_PRIVATE_NETWORKS=true to allow it`,
    false,
  );
}

/**
 * Checks that a host name or IP literal resolves only to public addresses (every address, so a host that
 * also resolves to 127.0.0.1 is refused). Name resolution failures are retryable except "no such host".
 */
export async function assertOutboundHost(host: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare)) {
    const reason = refusedAddressReason(bare);
    if (reason) throw refusal(bare, bare, reason);
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookupAsync(bare, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ChannelError(`cannot resolve ${bare}: ${code}`, code !== 'ENOTFOUND' && code !== 'ENODATA');
  }
  for (const { address } of addresses) {
    const reason = refusedAddressReason(address);
    if (reason) throw refusal(bare, address, reason);
  }
}

/** Parses `url`, allows only http(s), and checks its host with {@link assertOutboundHost}. */
export async function assertOutboundUrl(url: string, allowPrivate: boolean): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChannelError('invalid URL', false);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ChannelError(`refused URL scheme ${parsed.protocol} (only http and https)`, false);
  }
  await assertOutboundHost(parsed.hostname, allowPrivate);
  return parsed;
}

/**
 * A `net.connect` lookup that repeats the address check at connect time, so a name that resolved to a
 * public address during {@link assertOutboundUrl} cannot switch to a private one before the socket opens
 * (DNS rebinding).
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address);
      if (reason) return callback(refusal(hostname, address, reason), []);
    }
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    callback(null, first.address, first.family);
  });
};

let guardedAgent: Agent | undefined;

/** The undici dispatcher to send with: one that re-checks addresses when private networks are refused. */
export function outboundDispatcher(allowPrivate: boolean): Dispatcher | undefined {
  if (allowPrivate) return undefined;
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup } });
  return guardedAgent;
}
