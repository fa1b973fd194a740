import type { Secret } from '../lib/secret.js';

export const CREDENTIAL_KEYS = ['UPCLOUD_TOKEN', 'UPCLOUD_USERNAME', 'UPCLOUD_PASSWORD'] as const;

const isSet = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * Where provider credentials are read (SPEC section 2): the process environment when it sets any of them,
 * otherwise the secrets files. Taking them from one source only means a token exported in the shell is
 * never mixed with a username and password kept in `.kamal/secrets`.
 */
export function credentialLookup(
  env: Readonly<Record<string, string | undefined>>,
  secrets: ReadonlyMap<string, Secret>,
): (name: string) => string | undefined {
  const fromEnv = CREDENTIAL_KEYS.some((key) => isSet(env[key]));
  return (name) => (fromEnv ? env[name] : secrets.get(name)?.reveal());
}

/** Provider credentials that are also listed under `secrets:`, which every workspace would then see. */
export function exposedCredentials(listed: readonly string[]): string[] {
  return listed.filter((name) => (CREDENTIAL_KEYS as readonly string[]).includes(name));
}
