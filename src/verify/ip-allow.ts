/**
 * Who is calling, and may they: `trigger.allowIps` and `HOOKFLOW_TRUST_PROXY`.
 * Pure; addresses and ranges are parsed by ipaddr.js.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/**
 * True when `ip` lies in one of `cidrs` (`192.30.252.0/22`, `2606:50c0::/32`,
 * or a bare address meaning just that one). An IPv4-mapped IPv6 address
 * (`::ffff:192.30.252.1`, what a dual-stack socket reports for an IPv4 peer)
 * is matched as the IPv4 address it carries, against IPv4 ranges and IPv4
 * ranges written in mapped form (`::ffff:10.0.0.0/104`); `::/0` is IPv6 only. An address or range that does not parse matches nothing:
 * refusing is the safe side.
 */
export function isAllowed(ip: string, cidrs: readonly string[]): boolean {
  const address = parseAddress(ip);
  if (address === undefined) return false;
  return cidrs.some((cidr) => {
    const range = parseRange(cidr);
    return range !== undefined && inRange(address, range);
  });
}

export interface ClientIpInput {
  /** The TCP peer's address (`request.socket.remoteAddress`). */
  readonly peer: string;
  /** `X-Forwarded-For`, one string or one per repeated header, in arrival order. */
  readonly forwardedFor?: string | readonly string[] | undefined;
  /** CIDRs of the proxies whose `X-Forwarded-For` is believed (see {@link parseTrustProxy}). */
  readonly trustedProxies: readonly string[];
}

/**
 * The client's address: the peer itself, unless the peer is a trusted proxy.
 * Then `X-Forwarded-For` is walked from the right (each proxy appends the
 * address it received from), skipping trusted hops, and the first untrusted
 * address is the client. Everything left of it was written by that client
 * and is not believed, so a forged header changes nothing: from an untrusted
 * peer it is ignored outright, behind a trusted proxy it sits left of the
 * address the proxy appended. When every hop is trusted the leftmost one is
 * the client; an entry that is not an address stops the walk at the last
 * trusted hop. Addresses come back normalized (`::ffff:1.2.3.4` → `1.2.3.4`).
 */
export function clientIp({ peer, forwardedFor, trustedProxies }: ClientIpInput): string {
  let client = normalize(peer);
  if (!isAllowed(client, trustedProxies) || forwardedFor === undefined) return client;
  const hops = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor)
    .flatMap((value) => value.split(','))
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = parseAddress(stripPort(hops[i] ?? ''));
    if (hop === undefined) return client;
    client = hop.toString();
    if (!isAllowed(client, trustedProxies)) return client;
  }
  return client;
}

const KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

/**
 * `HOOKFLOW_TRUST_PROXY` as a list of CIDRs: comma-separated ranges or
 * addresses, plus the keywords `loopback`, `private` and `linklocal`. Empty
 * means no proxy is trusted. Throws on an entry that is not one of these, so
 * a typo stops the server at start instead of silently trusting nobody (or
 * the wrong hosts).
 *
 * @example
 * parseTrustProxy('loopback, 10.0.0.0/8') // → ['127.0.0.0/8', '::1/128', '10.0.0.0/8']
 */
export function parseTrustProxy(value: string): string[] {
  const cidrs: string[] = [];
  for (const entry of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const keyword = KEYWORDS[entry.toLowerCase()];
    if (keyword !== undefined) cidrs.push(...keyword);
    else if (parseRange(entry) !== undefined) cidrs.push(entry);
    else throw new Error(`HOOKFLOW_TRUST_PROXY: "${entry}" is not an IP address, a CIDR range or one of loopback, private, linklocal`);
  }
  return cidrs;
}

/** True when `cidr` is an address or CIDR range that {@link isAllowed} understands. */
export function isCidr(cidr: string): boolean {
  return parseRange(cidr) !== undefined;
}

/**
 * Only the textual forms Node's `isIP` accepts: ipaddr.js alone would also
 * take `127.1` or `0x7f000001`, which no proxy writes and which the
 * definition validator refuses in `allowIps`.
 */
function parseAddress(text: string): Address | undefined {
  // process() turns an IPv4-mapped IPv6 address into the IPv4 one.
  return isIP(text) === 0 ? undefined : ipaddr.process(text);
}

function parseRange(cidr: string): Range | undefined {
  const text = cidr.trim();
  const slash = text.indexOf('/');
  const base = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(base);
  if (version === 0) return undefined;
  const maxBits = version === 4 ? 32 : 128;
  if (slash === -1) return [ipaddr.parse(base), maxBits];
  const bits = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > maxBits) return undefined;
  return [ipaddr.parse(base), Number(bits)];
}

function inRange(address: Address, [base, bits]: Range): boolean {
  if (address.kind() === base.kind()) return address.match(base, bits);
  // An IPv4 client against an IPv4 range written in mapped form
  // (::ffff:10.0.0.0/104). Only such ranges: `::/0` means "any IPv6
  // address", and must not let every IPv4 client in as well.
  if (address.kind() === 'ipv4' && isMappedRange(base, bits)) return (address as ipaddr.IPv4).toIPv4MappedAddress().match(base, bits);
  return false;
}

function isMappedRange(base: Address, bits: number): boolean {
  return base.kind() === 'ipv6' && bits >= 96 && (base as ipaddr.IPv6).isIPv4MappedAddress();
}

function normalize(ip: string): string {
  return parseAddress(ip)?.toString() ?? ip;
}

/** `1.2.3.4:5678` and `[2001:db8::1]:443` (some proxies add the port) → the address. */
function stripPort(hop: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop);
  return v4WithPort?.[1] ?? hop;
}
