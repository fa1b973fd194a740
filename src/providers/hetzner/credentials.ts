import { CredentialsMissingError } from '../../lib/errors.js';
import { Secret } from '../../lib/secret.js';
import type { CredentialLookup } from '../credentials.js';

/** The variable the token is read from: the one Hetzner's own CLI reads. */
export const HETZNER_CREDENTIAL_KEYS = ['HCLOUD_TOKEN'] as const;

/** The API token (a Bearer token of one Hetzner Cloud project); missing is exit 2 naming the variable. */
export function resolveHetznerToken(lookup: CredentialLookup): Secret {
  const token = lookup('HCLOUD_TOKEN');
  if (token === undefined || token === '') {
    throw new CredentialsMissingError('Hetzner credentials missing: set HCLOUD_TOKEN', {
      hint: 'export HCLOUD_TOKEN (an API token of the project: Hetzner Console, Security, API tokens), or put it in .kamal/secrets',
    });
  }
  return new Secret(token);
}
