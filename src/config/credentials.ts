import { Secret } from '../lib/secret.js';

export const CREDENTIAL_KEYS = ['UPCLOUD_TOKEN', 'UPCLOUD_USERNAME', 'UPCLOUD_PASSWORD'] as const;

export type Credentials = { kind: 'token'; token: Secret } | { kind: 'basic'; username: Secret; password: Secret };

/**
 * UpCloud credentials (SPEC section 2): each variable from the environment first, then the secrets files.
 * A token wins over a username and password. Undefined when neither is complete.
 */
export function providerCredentials(env: Readonly<Record<string, string | undefined>>, secrets: ReadonlyMap<string, Secret>): Credentials | undefined {
  const get = (key: string): Secret | undefined => {
    const fromEnv = env[key];
    if (fromEnv !== undefined && fromEnv !== '') return new Secret(fromEnv);
    const fromFile = secrets.get(key);
    return fromFile && fromFile.reveal() !== '' ? fromFile : undefined;
  };
  const token = get('UPCLOUD_TOKEN');
  if (token) return { kind: 'token', token };
  const username = get('UPCLOUD_USERNAME');
  const password = get('UPCLOUD_PASSWORD');
  return username && password ? { kind: 'basic', username, password } : undefined;
}

/** Provider credentials that are also listed under `secrets:`, which every workspace would then see. */
export function exposedCredentials(listed: readonly string[]): string[] {
  return listed.filter((name) => (CREDENTIAL_KEYS as readonly string[]).includes(name));
}
