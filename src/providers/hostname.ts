/** A valid RFC 1123 hostname label from a VM name: lower case, [a-z0-9-], at most 63 characters. */
export function hostnameFor(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'kamal-dev' : cleaned;
}
