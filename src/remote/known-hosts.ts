import { createHmac } from 'node:crypto';
import { fingerprint } from './host-key.js';

/** OpenSSH's name of a host in known_hosts: `host`, or `[host]:port` when the port is not 22. */
function hostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** A `|1|salt|hash` entry: HMAC-SHA1 of the name keyed by the salt (HashKnownHosts). */
function hashedMatches(pattern: string, name: string): boolean {
  const [, kind, salt, hash] = pattern.split('|');
  if (kind !== '1' || salt === undefined || hash === undefined) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

function globMatches(pattern: string, name: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(name);
}

/**
 * The `SHA256:` fingerprints of the keys a known_hosts file lists for `host`:`port` (plain, `[host]:port`,
 * hashed and wildcard entries; a `!negated` match excludes the line; `@revoked` and `@cert-authority` lines are
 * left out).
 */
export function knownHostKeys(text: string, host: string, port: number): string[] {
  const name = hostName(host, port);
  const found: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('@')) continue;
    const [patterns, , key] = line.split(/\s+/);
    if (patterns === undefined || key === undefined || !/^[A-Za-z0-9+/]+=*$/.test(key)) continue;
    const list = patterns.split(',');
    const matches = (p: string) => (p.startsWith('|') ? hashedMatches(p, name) : globMatches(p, name));
    if (list.some((p) => p.startsWith('!') && matches(p.slice(1)))) continue;
    if (list.some((p) => !p.startsWith('!') && matches(p))) found.push(fingerprint(Buffer.from(key, 'base64')));
  }
  return [...new Set(found)];
}
