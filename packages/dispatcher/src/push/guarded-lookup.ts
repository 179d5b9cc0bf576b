import { type LookupAddress, type LookupAllOptions, type LookupOptions, lookup } from 'node:dns';
import { EndpointRefusedError } from './endpoint-refused-error.ts';
import { isForbiddenAddress } from './forbidden-addresses.ts';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A drop-in for dns.lookup, given to the push agent's sockets: resolves as usual, then refuses the
 * name when any address it resolves to is forbidden. Checking at connect time, on the addresses
 * actually used, is what defeats a name that resolves to 169.254.169.254 or rebinds to 127.0.0.1.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  const all: LookupAllOptions = { ...options, all: true };
  lookup(hostname, all, (error, addresses) => {
    if (error !== null) {
      callback(error, []);
      return;
    }
    const forbidden = addresses.find((a) => isForbiddenAddress(a.address));
    if (forbidden !== undefined) {
      const refused = new EndpointRefusedError(
        'forbidden_address',
        `push host ${hostname} resolves to ${forbidden.address}, a private, loopback or link-local address`,
      ) as EndpointRefusedError & NodeJS.ErrnoException;
      callback(refused, []);
      return;
    }
    if (options.all === true) callback(null, addresses);
    else callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
