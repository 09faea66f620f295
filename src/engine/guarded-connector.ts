/**
 * An undici connector that applies the {@link AddressPolicy} to the address a
 * connection is actually made to — not to the URL's host name, which a DNS
 * answer may point anywhere (DNS rebinding: a name that resolves to a public
 * address when checked and to 169.254.169.254 when connected).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.js';

/** A connection refused by the policy; the http node turns it into a permanent node failure. */
export class AddressRefusedError extends Error {
  readonly code = 'HOOKFLOW_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly rule: string,
  ) {
    const via = host === address ? address : `${host} (${address})`;
    super(`connecting to ${via} is not allowed by HOOKFLOW_HTTP_DENY (${rule})`);
    this.name = 'AddressRefusedError';
  }
}

/**
 * Three checks, each for a path the others miss:
 * 1. an IP literal in the URL, before connecting (Node skips `lookup` for those);
 * 2. every address a host name resolves to, before connecting (in `lookup`,
 *    which runs for every new connection, so a rebinding answer is judged too);
 * 3. the socket's remote address once connected, as the last word.
 * Redirects are not followed by the http port; were they, each hop would
 * open its connection through here as well.
 */
export function createGuardedConnector(policy: AddressPolicy, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: guardedLookup(policy) } as buildConnector.BuildOptions);
  return function guardedConnect(opts, callback) {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0) {
      const verdict = policy.check(host);
      if (!verdict.ok) {
        callback(new AddressRefusedError(host, host, verdict.rule), null);
        return;
      }
    }
    connect(opts, (err, socket) => {
      if (err !== null) {
        callback(err, null);
        return;
      }
      const remote = socket.remoteAddress ?? '';
      const verdict = policy.check(remote);
      if (!verdict.ok) {
        socket.destroy();
        callback(new AddressRefusedError(host, remote, verdict.rule), null);
        return;
      }
      callback(null, socket);
    });
  };
}

/** `dns.lookup`, refusing the whole name when any of its addresses is denied. */
export function guardedLookup(policy: AddressPolicy): LookupFunction {
  return function lookup(hostname, options: LookupOptions, callback) {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, '');
        return;
      }
      for (const { address } of addresses) {
        const verdict = policy.check(address);
        if (!verdict.ok) {
          callback(new AddressRefusedError(hostname, address, verdict.rule), '');
          return;
        }
      }
      const [first] = addresses;
      if (options.all) callback(null, addresses);
      else if (first === undefined) callback(Object.assign(new Error(`${hostname} did not resolve`), { code: 'ENOTFOUND' }), '');
      else callback(null, first.address, first.family);
    });
  };
}
