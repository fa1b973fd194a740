import { z } from 'zod';
import type { Placement, ProviderDefinition } from './provider.js';
import { hetzner } from './hetzner/index.js';
import { ssh } from './ssh/index.js';
import { upcloud } from './upcloud/index.js';

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
