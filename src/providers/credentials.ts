import type { Secret } from '../lib/secret.js';

/** Looks a credential up by its variable name. */
export type CredentialLookup = (name: string) => string | undefined;

const isSet = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * Where a provider's credentials are read (docs/configuration.md#credentials): the process environment when it
 * sets any of the provider's variables, otherwise the secrets files. One source only, so a token exported in the
 * shell is never mixed with a username and password kept in `.kamal/secrets`.
 */
export function credentialLookup(
  keys: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  secrets: ReadonlyMap<string, Secret>,
): CredentialLookup {
  const fromEnv = keys.some((key) => isSet(env[key]));
  return (name) => (fromEnv ? env[name] : secrets.get(name)?.reveal());
}
