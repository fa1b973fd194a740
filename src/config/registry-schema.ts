import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import type { Config } from './schema.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A registry host (`host`, `host:port`, an IPv4 address), optionally with a path under which the images go (`ghcr.io/acme`). */
const SERVER = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
/** Kamal's local registry (`localhost:PORT`, reached from the servers through an SSH tunnel) has no counterpart here. */
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:|\/|$)/;

/** Why `server` is not a registry the VMs can push to and pull from; undefined when it is. */
function serverProblem(server: string): string | undefined {
  if (/^[a-z]+:\/\//i.test(server)) return 'expected a host without the scheme (registry.example.com, not https://registry.example.com)';
  if (LOOPBACK.test(server)) return "is this machine's loopback, which the VMs cannot reach (Kamal's local registry is not supported)";
  if (!SERVER.test(server)) return 'expected a registry host such as ghcr.io or registry.example.com:5000, optionally with a lowercase path (ghcr.io/acme)';
  return undefined;
}

const SECRET_LIST = 'a list with the name of one secret, e.g. [KAMAL_REGISTRY_PASSWORD]';

/** Kamal's secret lookup: a one-item list naming a secret. */
const secretName = z
  .array(z.string().regex(ENV_NAME, { error: 'expected the name of a secret listed under secrets:' }), { error: `expected ${SECRET_LIST}` })
  .length(1, { error: `expected ${SECRET_LIST}` });

/** `registry:` of config/dev.yml (docs/configuration.md#registry), with Kamal's keys and shapes. */
export const RegistrySchema = z.strictObject({
  server: z.string({ error: 'expected a registry host such as ghcr.io or registry.example.com:5000' }).superRefine((server, ctx) => {
    const problem = serverProblem(server);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** A user name as it is, or `[NAME]`: the value of that secret. */
  username: z
    .union([z.string().min(1), secretName], { error: `expected a user name, or ${SECRET_LIST}` })
    .optional(),
  /** Only `[NAME]`: a password written into config/dev.yml would be committed with it. */
  password: z
    .unknown()
    .refine((value) => typeof value !== 'string', { error: `a password written in config/dev.yml; name a secret instead: ${SECRET_LIST}` })
    .pipe(secretName)
    .optional(),
});

export type RegistryConfig = z.infer<typeof RegistrySchema>;
/** Where a credential comes from: the secret of that name (in the workspace's env file on the VM) or the text itself. */
export type RegistryCredential = { secret: string } | { literal: string };

/** What a `username`/`password` value means (Kamal's lookup: a list names a secret). */
export function registryCredential(value: string | readonly string[]): RegistryCredential {
  return typeof value === 'string' ? { literal: value } : { secret: value[0]! };
}

/** The registry host of `server` (without its path): the key Docker looks credentials up by. */
export function registryHost(server: string): string {
  return server.split('/')[0]!;
}

/** The rules of `registry:` that span keys: username and password come together, each secret named is listed. */
export function checkRegistryConfig(config: Config, fileOf: (keys: readonly PropertyKey[]) => string): void {
  const { registry } = config;
  if (!registry) return;
  const { username, password } = registry;
  if ((username === undefined) !== (password === undefined)) {
    const missing = username === undefined ? 'username' : 'password';
    throw new ConfigError(`${fileOf(['registry', missing])}: registry.${missing}: is required with registry.${missing === 'username' ? 'password' : 'username'}`);
  }
  for (const [key, value] of [['username', username], ['password', password]] as const) {
    const credential = value === undefined ? undefined : registryCredential(value);
    if (credential && 'secret' in credential && !config.secrets.includes(credential.secret)) {
      throw new ConfigError(`${fileOf(['registry', key])}: registry.${key}: ${credential.secret} is not listed under secrets:`, {
        hint: `Add ${credential.secret} to secrets: (its value comes from the secrets file).`,
      });
    }
  }
}
