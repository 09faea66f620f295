import { describe, expect, it } from 'vitest';
import { clientIp, isAllowed, isCidr, parseTrustProxy } from '../../src/verify/ip-allow.js';

const github = ['192.30.252.0/22', '185.199.108.0/22', '2606:50c0::/32'];

describe('isAllowed', () => {
  it.each([
    ['192.30.252.1', true],
    ['192.30.255.255', true],
    ['192.30.251.255', false],
    ['185.199.111.0', true],
    ['10.0.0.1', false],
    ['2606:50c0::1', true],
    ['2606:50c0:ffff::1', true],
    ['2606:50c1::1', false],
    ['::1', false],
  ])('%s in GitHub ranges: %s', (ip, expected) => {
    expect(isAllowed(ip, github)).toBe(expected);
  });

  it('matches an IPv4-mapped IPv6 peer against IPv4 rules, and an IPv4 peer against mapped rules', () => {
    expect(isAllowed('::ffff:192.30.252.9', github)).toBe(true);
    expect(isAllowed('::ffff:c01e:fc09', github)).toBe(true);
    expect(isAllowed('::ffff:10.0.0.1', github)).toBe(false);
    expect(isAllowed('10.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(true);
    expect(isAllowed('::ffff:10.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(true);
    expect(isAllowed('11.1.2.3', ['::ffff:10.0.0.0/104'])).toBe(false);
  });

  it('takes a bare address as a single host, in either family', () => {
    expect(isAllowed('203.0.113.7', ['203.0.113.7'])).toBe(true);
    expect(isAllowed('203.0.113.8', ['203.0.113.7'])).toBe(false);
    expect(isAllowed('2001:db8::1', ['2001:0db8:0:0::1'])).toBe(true);
  });

  it('does not match an IPv6 address against IPv4 rules, or the reverse', () => {
    expect(isAllowed('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
    expect(isAllowed('1.2.3.4', ['::/0'])).toBe(false);
    expect(isAllowed('::ffff:1.2.3.4', ['::/0'])).toBe(false);
    expect(isAllowed('1.2.3.4', ['0.0.0.0/0'])).toBe(true);
  });

  it('refuses what does not parse: the address, or a rule (which then matches nothing)', () => {
    expect(isAllowed('not-an-ip', ['0.0.0.0/0'])).toBe(false);
    expect(isAllowed('', ['0.0.0.0/0'])).toBe(false);
    expect(isAllowed('127.1', ['127.0.0.0/8'])).toBe(false);
    expect(isAllowed('1.2.3.4', ['1.2.3.0/33', 'nonsense', '1.2.3.0/x'])).toBe(false);
    expect(isAllowed('1.2.3.4', [])).toBe(false);
  });

  it('isCidr agrees with what isAllowed understands', () => {
    expect(['10.0.0.0/8', '2606:50c0::/32', '1.2.3.4', '::ffff:10.0.0.0/104'].every(isCidr)).toBe(true);
    expect(['10.0.0.0/33', '10/8', 'fe80::/129', 'x', ''].some(isCidr)).toBe(false);
  });
});

describe('clientIp', () => {
  const trusted = ['10.0.0.0/8', '::1/128'];

  it('is the peer when no proxy is trusted: a forged X-Forwarded-For changes nothing', () => {
    expect(clientIp({ peer: '198.51.100.7', forwardedFor: '192.30.252.1', trustedProxies: [] })).toBe('198.51.100.7');
    expect(clientIp({ peer: '198.51.100.7', forwardedFor: '192.30.252.1', trustedProxies: trusted })).toBe('198.51.100.7');
  });

  it('is the forwarded client when the peer is a trusted proxy', () => {
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: '203.0.113.5', trustedProxies: trusted })).toBe('203.0.113.5');
    expect(clientIp({ peer: '::1', forwardedFor: '2001:db8::5', trustedProxies: trusted })).toBe('2001:db8::5');
  });

  it('walks from the right, skipping trusted hops, and ignores what the client wrote to the left', () => {
    // The client forged "192.30.252.1"; the edge proxy appended its real address, an inner proxy the edge's.
    const forwardedFor = '192.30.252.1, 203.0.113.5, 10.0.0.9';
    expect(clientIp({ peer: '10.0.0.2', forwardedFor, trustedProxies: trusted })).toBe('203.0.113.5');
    expect(isAllowed(clientIp({ peer: '10.0.0.2', forwardedFor, trustedProxies: trusted }), ['192.30.252.0/22'])).toBe(false);
  });

  it('reads repeated X-Forwarded-For headers in order', () => {
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: ['192.30.252.1', '203.0.113.5'], trustedProxies: trusted })).toBe('203.0.113.5');
  });

  it('normalizes mapped addresses, in the peer and in the header', () => {
    expect(clientIp({ peer: '::ffff:198.51.100.7', trustedProxies: [] })).toBe('198.51.100.7');
    expect(clientIp({ peer: '::ffff:10.0.0.2', forwardedFor: '::ffff:203.0.113.5', trustedProxies: trusted })).toBe('203.0.113.5');
  });

  it('strips ports that some proxies add', () => {
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: '203.0.113.5:4711', trustedProxies: trusted })).toBe('203.0.113.5');
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: '[2001:db8::5]:443', trustedProxies: trusted })).toBe('2001:db8::5');
  });

  it('stops at the last trusted hop when an entry is not an address', () => {
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: 'unknown', trustedProxies: trusted })).toBe('10.0.0.2');
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: '203.0.113.5, garbage, 10.0.0.9', trustedProxies: trusted })).toBe('10.0.0.9');
  });

  it('is the leftmost hop when every hop is trusted, and the peer with no or an empty header', () => {
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: '10.0.0.7, 10.0.0.8', trustedProxies: trusted })).toBe('10.0.0.7');
    expect(clientIp({ peer: '10.0.0.2', trustedProxies: trusted })).toBe('10.0.0.2');
    expect(clientIp({ peer: '10.0.0.2', forwardedFor: ' , ', trustedProxies: trusted })).toBe('10.0.0.2');
  });
});

describe('parseTrustProxy', () => {
  it('expands keywords and keeps CIDRs and addresses', () => {
    expect(parseTrustProxy('loopback, 10.0.0.0/8,2001:db8::1')).toEqual(['127.0.0.0/8', '::1/128', '10.0.0.0/8', '2001:db8::1']);
    expect(parseTrustProxy('Private')).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);
    expect(parseTrustProxy('linklocal')).toEqual(['169.254.0.0/16', 'fe80::/10']);
    expect(parseTrustProxy('')).toEqual([]);
  });

  it('throws on an entry it does not understand, naming it', () => {
    expect(() => parseTrustProxy('loopback, true')).toThrow(/"true"/);
    expect(() => parseTrustProxy('10.0.0.0/40')).toThrow(/HOOKFLOW_TRUST_PROXY/);
  });

  it('gives ranges clientIp trusts', () => {
    const trustedProxies = parseTrustProxy('loopback');
    expect(clientIp({ peer: '::ffff:127.0.0.1', forwardedFor: '203.0.113.5', trustedProxies })).toBe('203.0.113.5');
  });
});
