import { isIP } from 'node:net';

/**
 * Domain names that never resolve on the public internet: RFC 6761 (localhost, invalid, test,
 * example; example.com/.net/.org do resolve, to IANA), RFC 6762 (local, multicast DNS), RFC 8375
 * (home.arpa), RFC 7686 (onion), RFC 9476 (alt) and ICANN's reservation of internal. A contact
 * there reaches nobody, and Apple's push service refuses a JWT whose subject names one.
 */
const UNREACHABLE_SUFFIXES = [
  'localhost',
  'local',
  'invalid',
  'test',
  'example',
  'home.arpa',
  'onion',
  'alt',
  'internal',
];

/** One label of a DNS host name (RFC 1123): letters, digits, inner hyphens, 1–63 characters. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** A top-level domain: letters, or an IDNA A-label (`xn--…`); never all digits. */
const TOP_LEVEL = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** The local part of an address as RFC 5322's dot-atom (no quoted strings, no spaces or brackets). */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** Why `host` is not a public DNS name, or undefined when it is one. */
export function publicHostProblem(host: string): string | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return `"${host}" is an IP address, not a domain name`;
  const labels = name.split('.');
  if (name.length > 253 || !labels.every((label) => LABEL.test(label))) {
    return `"${host}" is not a valid domain name`;
  }
  if (labels.length < 2) return `"${host}" is not a fully qualified domain name`;
  const reserved = UNREACHABLE_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (reserved !== undefined) {
    return `"${host}" is under the reserved name "${reserved}", which never resolves on the internet`;
  }
  if (!TOP_LEVEL.test(labels[labels.length - 1]!)) return `"${host}" has no valid top-level domain`;
  return undefined;
}

/**
 * Why push services would refuse `subject` as the VAPID `sub` claim, or undefined when it is
 * fine. RFC 8292 section 2.1: the subject is a contact URI, `mailto:` (RFC 6068) or `https:`.
 * Apple's push service ("Sending web push notifications in web apps and browsers") answers 403
 * BadJwtToken when the subject is not a URL or mailto:, and in practice also when its domain
 * cannot be reached (`localhost`, `.local`, `.invalid`, …), or when it is malformed (spaces,
 * angle brackets, a doubled `mailto:`). The rule here: exactly one `mailto:` with one plain
 * address on a public domain name, or an `https:` URL without credentials on a public domain name.
 */
export function vapidSubjectProblem(subject: string): string | undefined {
  const rule =
    'the VAPID subject must be one mailto: address or an https: URL on a public domain name (RFC 8292 section 2.1; Apple answers 403 BadJwtToken otherwise)';
  const refuse = (why: string) => `VAPID_SUBJECT ${JSON.stringify(subject)} is refused: ${why}; ${rule}`;
  if (subject !== subject.trim() || /\s/.test(subject)) return refuse('it contains white space');
  const lower = subject.toLowerCase();
  if (lower.startsWith('mailto:')) {
    const address = subject.slice('mailto:'.length);
    if (/^mailto:/i.test(address)) return refuse('"mailto:" appears twice');
    if (/[<>?,;]/.test(address)) return refuse('it is not a single plain address (no <>, ?, commas)');
    const at = address.lastIndexOf('@');
    if (at <= 0 || at === address.length - 1) return refuse('the address has no local part or no domain');
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    if (!LOCAL_PART.test(local)) return refuse(`"${local}" is not a valid local part of an address`);
    const problem = publicHostProblem(domain);
    return problem === undefined ? undefined : refuse(problem);
  }
  if (lower.startsWith('https:')) {
    let url: URL;
    try {
      url = new URL(subject);
    } catch {
      return refuse('it is not a URL');
    }
    if (!lower.startsWith('https://')) {
      return refuse('it is not an absolute https:// URL');
    }
    if (url.username !== '' || url.password !== '') return refuse('the URL carries credentials');
    const problem = publicHostProblem(url.hostname);
    return problem === undefined ? undefined : refuse(problem);
  }
  return refuse('it is neither mailto: nor https:');
}
