import { z } from 'zod';
import { DURATION_FORMAT, parseDuration } from '../lib/duration.js';
import { ProviderConfigSchema } from '../providers/registry.js';
import { ALIAS_NAME } from './aliases.js';
import { DotfilesSchema, GitSchema } from './git-schema.js';
import { RegistrySchema } from './registry-schema.js';

/** Docker's rule for container names, which kamal-dev uses for services and workspaces. */
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Docker's memory sizes: a number with an optional b/k/m/g/t unit (as `docker run --memory` takes). */
const DOCKER_MEMORY = /^\d+(\.\d+)?\s?([bkmgtp]i?b?)?$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const memory = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => DOCKER_MEMORY.test(value), { error: 'expected a docker memory size such as 512m or 4g' });

const notSupported = z.unknown().refine((value) => value === undefined, { error: 'not supported yet' }).optional();

export const SshSchema = z.strictObject({
  /** Unset: the first of DEFAULT_KEY_PATHS (config/load.ts) that exists, as OpenSSH picks its default identity. */
  key_path: z.string().min(1).optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*\$?$/i, { error: 'expected a user name' }).default('root'),
  port: z.number().int().min(1).max(65535).default(22),
});

export const DefaultsSchema = z.strictObject({
  cpus: z.number().positive({ error: 'expected a positive number of CPUs' }).max(1024).optional(),
  memory: memory.optional(),
  memory_swap: memory.or(z.literal(-1).transform(() => '-1')).optional(),
});

export const VmsSchema = z.strictObject({
  count: z
    .number({ error: 'expected a whole number from 1 to 100' })
    .int({ error: 'expected a whole number from 1 to 100' })
    .min(1, { error: 'expected a whole number from 1 to 100' })
    .max(100, { error: 'expected a whole number from 1 to 100' })
    .default(1),
  spread: z.boolean().default(true),
  /** Workspace containers may reach the provider's metadata service (169.254.169.254), which serves user_data. */
  metadata_access: z.boolean().default(false),
});

export const PortsSchema = z.strictObject({
  /** false: forwardPorts and appPort are published on the VM's loopback only, reached through `forward`. */
  public: z.boolean().default(false),
});

export const NamingSchema = z.strictObject({
  pattern: z
    .string()
    .refine((p) => p.includes('{index}') || /\{index:0\d\}/.test(p), { error: 'must contain {index} or {index:0N}' })
    .default('{service}-{index}'),
});

/** `30m`, `2h`... as seconds; absent or `0`: 0, no idle watcher (docs/configuration.md#idle-timeout). */
const idleTimeout = z
  .unknown()
  .refine((value) => value === 0 || value === '0' || (typeof value === 'string' && parseDuration(value) !== undefined), {
    error: `expected ${DURATION_FORMAT}, or 0 (off)`,
  })
  .transform((value) => (typeof value === 'string' ? (parseDuration(value) ?? 0) : 0));

export const ConfigSchema = z.strictObject({
  service: z.string({ error: 'expected a service name' }).regex(DOCKER_NAME, {
    error: 'expected a docker name: letters, digits, _ . - and starting with a letter or digit',
  }),
  image: z.string().min(1).default('.devcontainer/devcontainer.json'),
  provider: ProviderConfigSchema,
  secrets: z.array(z.string().regex(ENV_NAME, { error: 'expected an environment variable name' })).default([]),
  secrets_file: z.string().min(1).default('.kamal/secrets'),
  ssh: SshSchema.default(() => SshSchema.parse({})),
  defaults: DefaultsSchema.default({}),
  vms: VmsSchema.default(() => VmsSchema.parse({})),
  naming: NamingSchema.default(() => NamingSchema.parse({})),
  /** `name: command line` of kamal-dev (docs/configuration.md#aliases); checked against the commands by loadConfig. */
  aliases: z
    .record(z.string().regex(ALIAS_NAME), z.string({ error: 'expected a command line' }).min(1, { error: 'expected a command line' }), {
      error: (issue) => (issue.code === 'invalid_key' ? 'expected an alias name of a-z, 0-9, _ and -' : undefined),
    })
    .optional(),
  idle_timeout: idleTimeout.default(0),
  ports: PortsSchema.default(() => PortsSchema.parse({})),
  build: notSupported,
  /** Built images pushed once and pulled by the other VMs (docs/configuration.md#registry). */
  registry: RegistrySchema.optional(),
  git: GitSchema.optional(),
  dotfiles: DotfilesSchema.optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Known keys per object path, for "did you mean" hints. */
export const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(ConfigSchema.shape),
  ssh: Object.keys(SshSchema.shape),
  defaults: Object.keys(DefaultsSchema.shape),
  vms: Object.keys(VmsSchema.shape),
  naming: Object.keys(NamingSchema.shape),
  ports: Object.keys(PortsSchema.shape),
  git: Object.keys(GitSchema.shape),
  dotfiles: Object.keys(DotfilesSchema.shape),
  registry: Object.keys(RegistrySchema.shape),
};
