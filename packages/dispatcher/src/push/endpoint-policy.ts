import { isIP } from 'node:net';
import { EndpointRefusedError } from './endpoint-refused-error.ts';
import { isForbiddenAddress } from './forbidden-addresses.ts';

export interface EndpointPolicyOptions {
  /** Comma-separated: exact host names, or `*.suffix` matching any subdomain of suffix. */
  allowlist: string;
  /** Development and tests only: admit loopback and private addresses. */
  allowPrivateAddresses: boolean;
}

export interface AllowedEndpoint {
  url: URL;
  /** `https://host[:port]`: the VAPID audience and the connection pool's key. */
  origin: string;
  host: string;
}

/**
 * Decides whether a subscription endpoint may be sent to, before any connection is made: https
 * only, a host on the allowlist (matched on whole labels, so fcm.googleapis.com.evil.example is
 * not fcm.googleapis.com), and no literal forbidden address. Names that resolve to forbidden
 * addresses are refused later, at connect time, by the guarded lookup.
 */
export function createEndpointPolicy(options: EndpointPolicyOptions) {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of options.allowlist.split(',')) {
    const pattern = raw.trim().toLowerCase();
    if (pattern === '') continue;
    if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1));
    else exact.add(pattern);
  }

  function hostAllowed(host: string): boolean {
    return exact.has(host) || suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
  }

  return function check(endpoint: string): AllowedEndpoint {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new EndpointRefusedError(
        'malformed',
        `endpoint is not a URL: ${JSON.stringify(endpoint.slice(0, 200))}`,
      );
    }
    if (url.protocol !== 'https:') {
      throw new EndpointRefusedError('not_https', `endpoint ${url.origin} is not https`);
    }
    const host = url.hostname.toLowerCase().replace(/\.$/, '');
    if (!hostAllowed(host)) {
      throw new EndpointRefusedError(
        'host_not_allowed',
        `endpoint host ${host} is not on the push-service allowlist`,
      );
    }
    if (
      !options.allowPrivateAddresses &&
      isIP(host.replace(/^\[|\]$/g, '')) !== 0 &&
      isForbiddenAddress(host)
    ) {
      throw new EndpointRefusedError(
        'forbidden_address',
        `endpoint address ${host} is private, loopback or link-local`,
      );
    }
    return { url, origin: url.origin, host };
  };
}

export type EndpointPolicy = ReturnType<typeof createEndpointPolicy>;
