import { assertNever } from '../../lib/assert-never.js';
import { ConfigError, CredentialsMissingError } from '../../lib/errors.js';
import { Secret } from '../../lib/secret.js';
import type { CredentialLookup } from '../credentials.js';

/** The variables UpCloud's credentials are read from. */
export const UPCLOUD_CREDENTIAL_KEYS = ['UPCLOUD_TOKEN', 'UPCLOUD_USERNAME', 'UPCLOUD_PASSWORD'] as const;

export type UpcloudCredentials =
  | { kind: 'basic'; username: string; password: Secret }
  | { kind: 'bearer'; token: Secret };

const HINT = 'export UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD (environment or .kamal/secrets)';

/**
 * UpCloud credentials: Bearer from UPCLOUD_TOKEN or Basic from UPCLOUD_USERNAME + UPCLOUD_PASSWORD.
 * Absent, half-set or both kinds set is a ConfigError (exit 2), as in the official Go SDK.
 */
export function resolveUpcloudCredentials(lookup: CredentialLookup): UpcloudCredentials {
  const value = (name: string): string | undefined => {
    const found = lookup(name);
    return found === undefined || found === '' ? undefined : found;
  };
  const token = value('UPCLOUD_TOKEN');
  const username = value('UPCLOUD_USERNAME');
  const password = value('UPCLOUD_PASSWORD');

  if (token !== undefined && (username !== undefined || password !== undefined)) {
    throw new ConfigError('UpCloud credentials: both UPCLOUD_TOKEN and UPCLOUD_USERNAME/UPCLOUD_PASSWORD are set; set only one kind', { hint: HINT });
  }
  if (token !== undefined) return { kind: 'bearer', token: new Secret(token) };
  if (username !== undefined && password !== undefined) {
    return { kind: 'basic', username, password: new Secret(password) };
  }
  if (username !== undefined) throw new ConfigError('UpCloud credentials: UPCLOUD_USERNAME is set but UPCLOUD_PASSWORD is not', { hint: HINT });
  if (password !== undefined) throw new ConfigError('UpCloud credentials: UPCLOUD_PASSWORD is set but UPCLOUD_USERNAME is not', { hint: HINT });
  throw new CredentialsMissingError('UpCloud credentials missing: set UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD', { hint: HINT });
}

/** The Authorization header value, kept as a Secret so it never prints. */
export function authorizationHeader(credentials: UpcloudCredentials): Secret {
  switch (credentials.kind) {
    case 'bearer':
      return new Secret(`Bearer ${credentials.token.reveal()}`);
    case 'basic':
      return new Secret(`Basic ${Buffer.from(`${credentials.username}:${credentials.password.reveal()}`).toString('base64')}`);
    default:
      return assertNever(credentials, 'credentials kind');
  }
}
