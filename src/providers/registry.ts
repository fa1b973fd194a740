import { z } from 'zod';
import type { Secret } from '../lib/secret.js';
import type { Placement, Provider, RequestEvent } from './provider.js';
import { hetzner } from './hetzner/index.js';
import { ssh } from './ssh/index.js';
import { upcloud } from './upcloud/index.js';

/** What building a provider gets: its own part of config/dev.yml and where its credentials may come from. */
export interface ProviderSetup<C> {
  config: C;
  env: Readonly<Record<string, string | undefined>>;
  /** Every key of the secrets files. */
  secrets: ReadonlyMap<string, Secret>;
  pollIntervalMs: number;
  onRequest?: (event: RequestEvent) => void;
  /** Called with each credential the provider will send, so that every output redacts it. */
  onSecret(secret: Secret): void;
}

/**
 * A provider as the rest of kamal-dev knows it: its `provider:` schema (pure), the variables its credentials
 * come from, and a factory that loads its client only when called. Adding a provider is a folder of its own
 * and one line in DEFINITIONS (docs/architecture.md#providers).
 */
export interface ProviderDefinition<S extends z.ZodObject = z.ZodObject> {
  type: string;
  schema: S;
  credentialKeys: readonly string[];
  /** Where new VMs of this configuration go, without asking the provider (dry runs need no credentials). */
  placement(config: z.infer<S>): Placement;
  /** Per host address, the SSH user and port where they differ from ssh.user and ssh.port (own hosts). */
  sshTargets?(config: z.infer<S>): Record<string, { user?: string; port?: number }>;
  create(setup: ProviderSetup<z.infer<S>>): Promise<Provider>;
}

const DEFINITIONS = { upcloud, hetzner, ssh } as const;

type Schema = (typeof DEFINITIONS)[keyof typeof DEFINITIONS]['schema'];
export type ProviderConfig = z.infer<Schema>;
export type ProviderType = ProviderConfig['type'];

export const PROVIDER_TYPES = Object.keys(DEFINITIONS) as ProviderType[];

/** `provider:` of config/dev.yml: one schema per provider, chosen by `type`. */
export const ProviderConfigSchema = z.discriminatedUnion(
  'type',
  Object.values(DEFINITIONS).map((definition) => definition.schema) as unknown as [Schema, ...Schema[]],
  {
    error: (issue) => {
      const input = issue.input;
      if (input === null || typeof input !== 'object' || Array.isArray(input)) return `expected a mapping with type: ${PROVIDER_TYPES.join(' | ')}`;
      const type = (input as { type?: unknown }).type;
      return `expected one of: ${PROVIDER_TYPES.join(', ')}, got ${type === undefined ? 'no type' : JSON.stringify(type)}`;
    },
  },
);

export function providerDefinition(type: ProviderType): ProviderDefinition {
  return DEFINITIONS[type] as unknown as ProviderDefinition;
}

/** Where new VMs go for this `provider:` configuration. */
export function placementOf(config: ProviderConfig): Placement {
  return providerDefinition(config.type).placement(config);
}

/** Where SSH goes for each host address of this configuration, when the provider says (see ProviderDefinition). */
export function sshTargetsOf(config: ProviderConfig): Record<string, { user?: string; port?: number }> {
  return providerDefinition(config.type).sshTargets?.(config) ?? {};
}

/** The keys `provider:` may have for `type`, for "did you mean" hints. */
export function providerKeys(type: unknown): readonly string[] {
  const definition = typeof type === 'string' ? (DEFINITIONS as Record<string, ProviderDefinition>)[type] : undefined;
  return definition ? Object.keys(definition.schema.shape) : ['type'];
}
