import { describe, expect, it } from 'vitest';
import { createAddressPolicy, parseRange, RECOMMENDED_DENY } from '../../src/engine/address-policy.js';
import { loadConfig } from '../../src/config/load.js';

describe('parseRange', () => {
  it('reads CIDRs and bare addresses, IPv4 and IPv6', () => {
    expect(parseRange('10.0.0.0/8')?.[1]).toBe(8);
    expect(parseRange('192.0.2.7')?.[1]).toBe(32);
    expect(parseRange('fc00::/7')?.[1]).toBe(7);
    expect(parseRange('::1')?.[1]).toBe(128);
  });

  it('refuses anything vague or malformed', () => {
    for (const bad of ['', '10.0.0.0/33', 'fc00::/129', '127.1', '0x7f.0.0.1', '10.0.0.0/8/1', 'example.com', '10.0.0.0/', '1.2.3.4/-1']) {
      expect(parseRange(bad), bad).toBeUndefined();
    }
  });
});

describe('createAddressPolicy', () => {
  const policy = createAddressPolicy({ deny: RECOMMENDED_DENY, allow: ['10.1.2.3', 'fd00:1::/32'] });

  it('denies the recommended internal ranges', () => {
    for (const address of ['127.0.0.1', '10.9.9.9', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd12::1', 'fe80::1%eth0']) {
      expect(policy.check(address), address).toMatchObject({ ok: false });
    }
    expect(policy.check('169.254.169.254')).toEqual({ ok: false, rule: '169.254.0.0/16' });
  });

  it('lets public addresses through', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '[2001:db8::1]']) {
      expect(policy.check(address), address).toEqual({ ok: true });
    }
  });

  it('matches IPv4-mapped IPv6 addresses as IPv4, and IPv4 against mapped rules', () => {
    expect(policy.check('::ffff:127.0.0.1')).toEqual({ ok: false, rule: '127.0.0.0/8' });
    expect(policy.check('::ffff:7f00:1')).toEqual({ ok: false, rule: '127.0.0.0/8' });
    const mappedRule = createAddressPolicy({ deny: ['::ffff:0:0/96'] });
    expect(mappedRule.check('8.8.8.8')).toEqual({ ok: false, rule: '::ffff:0:0/96' });
  });

  it('lets allow win over deny', () => {
    expect(policy.check('10.1.2.3')).toEqual({ ok: true });
    expect(policy.check('10.1.2.4')).toMatchObject({ ok: false });
    expect(policy.check('fd00:1::5')).toEqual({ ok: true });
    expect(createAddressPolicy({ deny: ['0.0.0.0/0', '::/0'], allow: ['203.0.113.0/24'] }).check('203.0.113.9')).toEqual({ ok: true });
  });

  it('denies nothing by default, and refuses an unreadable address when it denies something', () => {
    const open = createAddressPolicy();
    expect(open.active).toBe(false);
    expect(open.check('127.0.0.1')).toEqual({ ok: true });
    expect(policy.check('not-an-ip')).toEqual({ ok: false, rule: 'unreadable address' });
  });
});

describe('HOOKFLOW_HTTP_DENY / _ALLOW', () => {
  it('are comma-separated lists, unset when empty', () => {
    expect(loadConfig({ HOOKFLOW_HTTP_DENY: ' 10.0.0.0/8, ::1 ,', HOOKFLOW_HTTP_ALLOW: '' })).toMatchObject({ httpDeny: ['10.0.0.0/8', '::1'], httpAllow: undefined });
    expect(loadConfig({}).httpDeny).toBeUndefined();
  });

  it('stop the start on a typo, naming the variable', () => {
    expect(() => loadConfig({ HOOKFLOW_HTTP_DENY: '10.0.0.0/8,10.0.0.0/40' })).toThrow('HOOKFLOW_HTTP_DENY: "10.0.0.0/40" is not an IP address or CIDR range');
  });
});
