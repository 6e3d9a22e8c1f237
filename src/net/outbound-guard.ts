import { lookup } from 'node:dns';
import { lookup as lookupAsync } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Agent, Dispatcher } from 'undici';
import { ChannelError } from '../channels/channel.ts';

/**
 * Server-side request forgery guard for every outbound call whose target a user can configure (webhooks,
 * channel base URLs, attachment downloads). Unless the operator allows private networks, a target may
 * only resolve to public addresses.
 */

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function ranges(table: [string, string][]): { range: Cidr; reason: string }[] {
  return table.map(([cidr, reason]) => ({ range: ipaddr.parseCIDR(cidr), reason }));
}

const IPV4_REFUSED = ranges([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'private (carrier-grade NAT)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  // Benchmarking (RFC 2544), yet routed inside some clouds and appliances to internal services.
  ['198.18.0.0/15', 'benchmarking'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
]);

const IPV6_REFUSED = ranges([
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'],
  ['fc00::/7', 'unique-local'],
  ['ff00::/8', 'multicast'],
  ['100::/64', 'discard-only'],
  // Teredo hides an (obfuscated) IPv4 address in the last 32 bits; a relay may reach it.
  ['2001::/32', 'Teredo'],
]);

/**
 * IPv6 forms that carry an IPv4 address, and where it sits (byte offset). A gateway or a dual-stack
 * socket may turn them into that IPv4 address, so they are judged by it; they are refused even when
 * it is public, because the plain IPv4 address reaches the same host and nobody else writes them.
 */
const IPV4_CARRIERS = [
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped', offset: 12 },
  { cidr: '::ffff:0:0:0/96', name: 'IPv4-translated', offset: 12 },
  { cidr: '64:ff9b::/96', name: 'NAT64', offset: 12 },
  // RFC 8215 local-use NAT64 prefix; operators choose where the IPv4 part sits, commonly the end.
  { cidr: '64:ff9b:1::/48', name: 'NAT64 (local-use)', offset: 12 },
  { cidr: '2002::/16', name: '6to4', offset: 2 },
  // Last: `::` and `::1` fall inside it too but were named above.
  { cidr: '::/96', name: 'IPv4-compatible', offset: 12 },
].map(({ cidr, ...rest }) => ({ range: ipaddr.parseCIDR(cidr), ...rest }));

/** Dotted-quad IPv4 or IPv6 (zone id allowed): what resolvers return and URL parsing leaves. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (ipaddr.IPv6.isValid(address)) return ipaddr.IPv6.parse(address);
  return undefined;
}

function ipv4Reason(address: ipaddr.IPv4): string | undefined {
  return IPV4_REFUSED.find(({ range }) => address.match(range))?.reason;
}

/**
 * Why an IP address must not be reached without `allowPrivate`, or undefined when it is public.
 * An IPv6 address that carries an IPv4 one (mapped, compatible, NAT64, 6to4) is named after the IPv4
 * part's reason and refused even when that part is public.
 */
export function refusedAddressReason(address: string): string | undefined {
  const ip = parseAddress(address);
  if (!ip) return 'not an IP address';
  if (ip instanceof ipaddr.IPv4) return ipv4Reason(ip);
  const own = IPV6_REFUSED.find(({ range }) => ip.match(range))?.reason;
  if (own) return own;
  const carrier = IPV4_CARRIERS.find(({ range }) => ip.match(range));
  if (!carrier) return undefined;
  const bytes = ip.toByteArray().slice(carrier.offset, carrier.offset + 4);
  const inner = ipv4Reason(new ipaddr.IPv4(bytes));
  return inner ? `${inner} (${carrier.name})` : carrier.name;
}

function refusal(host: string, address: string, reason: string): ChannelError {
  const shown = host === address ? address : `${host} (${address})`;
  return new ChannelError(
    `refused to connect to ${shown}: ${reason} address; set HERALD_ALLOW_PRIVATE_NETWORKS=true to allow it`,
    false,
  );
}

/** Answers every address of a name; injectable (SendContext.lookup) so tests can play DNS. */
export type HostLookup = (host: string) => Promise<Array<{ address: string }>>;

const systemLookup: HostLookup = (host) => lookupAsync(host, { all: true, verbatim: true });

/**
 * Resolves `host` once and returns the address to connect to, after checking every address it
 * resolved to (so a host that also resolves to 127.0.0.1 is refused). Callers connect to that
 * address, not to the name: a second resolution could answer differently (DNS rebinding). Name
 * resolution failures are retryable except "no such host". IP literals are checked as they are.
 */
export async function pinOutboundHost(
  host: string,
  allowPrivate: boolean,
  lookupHost: HostLookup = systemLookup,
): Promise<string> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (parseAddress(bare)) {
    const reason = allowPrivate ? undefined : refusedAddressReason(bare);
    if (reason) throw refusal(bare, bare, reason);
    return bare;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookupHost(bare);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ChannelError(`cannot resolve ${bare}: ${code}`, code !== 'ENOTFOUND' && code !== 'ENODATA');
  }
  if (addresses.length === 0) throw new ChannelError(`cannot resolve ${bare}: ENODATA`, false);
  if (!allowPrivate) {
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address);
      if (reason) throw refusal(bare, address, reason);
    }
  }
  return (addresses[0] as { address: string }).address;
}

/** Checks that a host name or IP literal resolves only to public addresses (see {@link pinOutboundHost}). */
export async function assertOutboundHost(host: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  await pinOutboundHost(host, false);
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

let undici: Promise<typeof import('undici')> | undefined;

/**
 * undici, loaded on the first outbound call: a server that never sends out does not carry it.
 * The promise is kept: each `import()` of a package name runs the module resolver again, which
 * under load was a tenth of the delivery engine's time (more with a loader hook such as tsx).
 */
export const loadUndici = (): Promise<typeof import('undici')> => {
  undici ??= import('undici');
  return undici;
};

/** The undici dispatcher to send with: one that re-checks addresses when private networks are refused. */
export async function outboundDispatcher(allowPrivate: boolean): Promise<Dispatcher | undefined> {
  if (allowPrivate) return undefined;
  const { Agent } = await loadUndici();
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup } });
  return guardedAgent;
}
