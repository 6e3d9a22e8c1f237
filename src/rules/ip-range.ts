import ipaddr from 'ipaddr.js';

/**
 * An address as raw bytes: 4 for IPv4, 16 for IPv6. IPv4-mapped IPv6 (`::ffff:192.168.1.5`) is
 * stored as IPv4, because dual-stack servers report IPv4 clients that way and a rule written as
 * `192.168.1.0/24` must still catch them.
 */
export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
}

export interface CidrRange extends IpAddress {
  prefix: number;
}

/**
 * Only the canonical spellings: dotted-quad IPv4 without leading zeros, and IPv6 with an optional
 * zone id (`fe80::1%eth0`, which names a local interface and is not part of the address). ipaddr.js
 * would also read `127.1` or `0x7f.0.0.1`, which are not how a client address is ever reported.
 */
function parseStrict(text: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

export function parseIpAddress(text: string): IpAddress | null {
  const parsed = parseStrict(text);
  if (!parsed) return null;
  const address =
    parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress() ? parsed.toIPv4Address() : parsed;
  return { version: address.kind() === 'ipv4' ? 4 : 6, bytes: Uint8Array.from(address.toByteArray()) };
}

/** `192.168.1.0/24`, `2001:db8::/32`; host bits beyond the prefix are ignored, as most tools do. */
export function parseCidr(text: string): CidrRange | null {
  const slash = text.lastIndexOf('/');
  if (slash === -1) return null;
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  let prefix = Number(prefixText);
  const addressText = text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (!address) return null;
  if (address.version === 4 && !ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
    // `::ffff:10.0.0.0/104` is written over 128 bits but describes an IPv4 range.
    if (prefix < 96 || prefix > 128) return null;
    prefix -= 96;
  }
  if (prefix > address.bytes.length * 8) return null;
  return { ...address, prefix };
}

export function isAddressInRange(address: IpAddress, range: CidrRange): boolean {
  if (address.version !== range.version) return false;
  const ip = ipaddr.fromByteArray([...address.bytes]);
  return ip.match(ipaddr.fromByteArray([...range.bytes]), range.prefix);
}

/**
 * Does `ip` fall within `entry`? The entry is a CIDR range or a single address; a single address
 * matches any textual form of the same address (`2001:db8::1` = `2001:0db8:0:0:0:0:0:1`).
 * Unparsable input never matches.
 */
export function isIpInRange(ip: string, entry: string): boolean {
  const address = parseIpAddress(ip);
  if (!address) return false;
  if (entry.includes('/')) {
    const range = parseCidr(entry);
    return range !== null && isAddressInRange(address, range);
  }
  const other = parseIpAddress(entry);
  return other !== null && isAddressInRange(address, { ...other, prefix: other.bytes.length * 8 });
}
