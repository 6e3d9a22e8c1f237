import { isIP } from 'node:net';

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

const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

export function parseIpAddress(text: string): IpAddress | null {
  // A zone id (`fe80::1%eth0`) names a local interface, not part of the address.
  const zoneAt = text.indexOf('%');
  const address = zoneAt === -1 ? text : text.slice(0, zoneAt);
  const version = isIP(address);
  if (version === 4) return { version: 4, bytes: parseIpv4(address) };
  if (version !== 6) return null;
  const bytes = parseIpv6(address);
  if (MAPPED_PREFIX.every((byte, i) => bytes[i] === byte)) {
    return { version: 4, bytes: bytes.slice(12) };
  }
  return { version: 6, bytes };
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
  if (address.version === 4 && isIP(addressText) === 6) {
    // `::ffff:10.0.0.0/104` is written over 128 bits but describes an IPv4 range.
    if (prefix < 96 || prefix > 128) return null;
    prefix -= 96;
  }
  if (prefix > address.bytes.length * 8) return null;
  return { ...address, prefix };
}

export function isAddressInRange(address: IpAddress, range: CidrRange): boolean {
  if (address.version !== range.version) return false;
  const fullBytes = Math.floor(range.prefix / 8);
  for (let i = 0; i < fullBytes; i++) {
    if (address.bytes[i] !== range.bytes[i]) return false;
  }
  const remainingBits = range.prefix % 8;
  if (remainingBits === 0) return true;
  const mask = (0xff << (8 - remainingBits)) & 0xff;
  return (address.bytes[fullBytes] & mask) === (range.bytes[fullBytes] & mask);
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

function parseIpv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

// Only called on text `isIP` accepted, so the shape is already known to be valid.
function parseIpv6(text: string): Uint8Array {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = toGroups(head);
  const tailGroups = tail === undefined ? [] : toGroups(tail);
  const zeros = new Array<number>(8 - headGroups.length - tailGroups.length).fill(0);
  const groups = [...headGroups, ...(tail === undefined ? [] : zeros), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  });
  return bytes;
}

function toGroups(part: string): number[] {
  if (part === '') return [];
  const groups: number[] = [];
  for (const piece of part.split(':')) {
    if (piece.includes('.')) {
      const [a, b, c, d] = parseIpv4(piece);
      groups.push((a << 8) | b, (c << 8) | d);
    } else {
      groups.push(Number.parseInt(piece, 16));
    }
  }
  return groups;
}
