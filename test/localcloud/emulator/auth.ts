import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface Credentials {
  username: string;
  password: string;
  token: string;
}

export type AuthOutcome = 'ok' | 'missing' | 'failed';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Basic (API user) or Bearer (`ucat_` token), as the real API accepts. */
export function checkAuth(req: IncomingMessage, creds: Credentials): AuthOutcome {
  const header = req.headers.authorization;
  if (!header) return 'missing';
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return same(value, creds.token) ? 'ok' : 'failed';
  if (scheme?.toLowerCase() !== 'basic') return 'failed';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'failed';
  return same(decoded.slice(0, colon), creds.username) && same(decoded.slice(colon + 1), creds.password) ? 'ok' : 'failed';
}
