/** Top-level names that never resolve publicly (RFC 6761, RFC 6762, RFC 8375's home.arpa, internal). */
const UNRESOLVABLE = /(^|\.)(localhost|local|invalid|test|example|internal|home\.arpa)$/;

/**
 * Apple's push service (web.push.apple.com) refuses with 403 `{"reason":"BadJwtToken"}` a VAPID
 * JWT whose subject "isn't a URL or mailto:" ("Sending web push notifications in web apps and
 * browsers", Apple developer documentation), and in practice one whose contact cannot be
 * reached: a domain such as `localhost`, `*.local` or `*.invalid`, an address with spaces or
 * angle brackets, a doubled `mailto:`. Returns why this subject would be refused, or undefined.
 * Written apart from the dispatcher's own check on purpose: the push service stands for Apple.
 */
export function appleRefusesSubject(subject: string): string | undefined {
  let host: string;
  if (subject.startsWith('mailto:')) {
    const address = subject.slice('mailto:'.length);
    const match = /^[^\s@<>:]+@([^\s@<>]+)$/.exec(address);
    if (match === null) return `subject ${subject} is not a mailto: address`;
    host = match[1]!;
  } else if (subject.startsWith('https://')) {
    try {
      host = new URL(subject).hostname;
    } catch {
      return `subject ${subject} is not a URL`;
    }
  } else {
    return `subject ${subject} is neither a URL nor mailto:`;
  }
  const name = host.toLowerCase();
  if (!name.includes('.') || /^[\d.]+$/.test(name) || name.includes(':')) {
    return `subject host ${host} is not a public domain name`;
  }
  if (UNRESOLVABLE.test(name)) return `subject host ${host} cannot be reached`;
  return undefined;
}
