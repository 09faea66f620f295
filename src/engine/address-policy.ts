/**
 * The outbound address policy: which IP addresses workflow nodes may connect
 * to (`HOOKFLOW_HTTP_DENY`, `HOOKFLOW_HTTP_ALLOW`). Pure: it judges addresses;
 * `guarded-connector.ts` applies it to the address a socket actually uses.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

export type AddressVerdict = { readonly ok: true } | { readonly ok: false; readonly rule: string };

export interface AddressPolicy {
  /** False when nothing is denied: callers may skip the checks altogether. */
  readonly active: boolean;
  /** Allowed when it matches an `allow` range, else when it matches no `deny` range. */
  check(address: string): AddressVerdict;
}

export interface AddressPolicyOptions {
  /** CIDRs (`10.0.0.0/8`, `fc00::/7`) or single addresses. */
  deny?: readonly string[];
  /** CIDRs or addresses let through even when `deny` matches: allow wins. */
  allow?: readonly string[];
}

/**
 * A starting point for operators who want workflows kept off internal
 * services: loopback, RFC 1918, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, "this network" (Linux connects
 * `0.0.0.0` to loopback), IPv6 loopback/unspecified, unique-local and
 * link-local.
 */
export const RECOMMENDED_DENY: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16',
  '::/128', '::1/128', 'fc00::/7', 'fe80::/10',
];

/**
 * Parses `10.0.0.0/8`, `fc00::/7` or a bare address (a /32 or /128).
 * Returns undefined for anything else, including the lenient IPv4 forms
 * (`127.1`, `0x7f.0.0.1`) that ipaddr.js would accept: config should say
 * exactly what it means.
 */
export function parseRange(text: string): Range | undefined {
  const [address = '', bits, ...rest] = text.trim().split('/');
  const kind = isIP(address);
  if (kind === 0 || rest.length > 0) return undefined;
  const parsed = ipaddr.parse(address);
  if (bits === undefined) return [parsed, kind === 4 ? 32 : 128];
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix <= (kind === 4 ? 32 : 128))) return undefined;
  return [parsed, prefix];
}

export function createAddressPolicy(options: AddressPolicyOptions = {}): AddressPolicy {
  const compile = (list: readonly string[] = []) =>
    list.map((text) => {
      const range = parseRange(text);
      if (range === undefined) throw new Error(`"${text}" is not an IP address or CIDR range`);
      return { text: text.trim(), range };
    });
  const deny = compile(options.deny);
  const allow = compile(options.allow);
  return {
    active: deny.length > 0,
    check(address) {
      if (deny.length === 0) return { ok: true };
      const candidates = forms(address);
      // An address we cannot read is refused: the policy must not fail open.
      if (candidates.length === 0) return { ok: false, rule: 'unreadable address' };
      const matches = (r: { range: Range }) => candidates.some((c) => c.kind() === r.range[0].kind() && c.match(r.range));
      if (allow.some(matches)) return { ok: true };
      const denied = deny.find(matches);
      return denied === undefined ? { ok: true } : { ok: false, rule: denied.text };
    },
  };
}

/**
 * The forms an address is matched in: an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`) is also its IPv4 address, and an IPv4 address also its
 * mapped form, so neither spelling slips past a rule written in the other.
 */
function forms(text: string): Address[] {
  const bare = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) === 0) return [];
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv4') return [parsed, (parsed as ipaddr.IPv4).toIPv4MappedAddress()];
  const v6 = parsed as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? [v6, v6.toIPv4Address()] : [v6];
}
