/**
 * A matcher over a comma-separated list of host names: exact names, or `*.suffix` for any
 * subdomain of suffix (matched on whole labels: `*.notify.windows.com` does not match
 * `evilnotify.windows.com`). Case-insensitive.
 */
export function createHostMatcher(list: string): (host: string) => boolean {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const raw of list.split(',')) {
    const pattern = raw.trim().toLowerCase();
    if (pattern === '') continue;
    if (pattern.startsWith('*.')) suffixes.push(pattern.slice(1));
    else exact.add(pattern);
  }
  return (host) => {
    const name = host.toLowerCase();
    return exact.has(name) || suffixes.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
  };
}
