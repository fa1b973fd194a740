import { z } from 'zod';

export const DEFAULT_API_URL = 'https://api.hetzner.cloud/v1';

/** `provider:` of config/dev.yml for `type: hetzner` (docs/configuration.md#provider-hetzner). Pure: zod only. */
export const HetznerConfigSchema = z.strictObject({
  type: z.literal('hetzner'),
  location: z.string().min(1, { error: 'expected a location such as fsn1' }),
  server_type: z.string().min(1, { error: 'expected a server type such as cx22' }),
  image: z.string().min(1, { error: 'expected an image such as ubuntu-24.04' }).default('ubuntu-24.04'),
});

export type HetznerConfig = z.infer<typeof HetznerConfigSchema>;

/** The location and server type are what the state records of a VM. */
export function hetznerPlacement(config: HetznerConfig): { provider: 'hetzner'; zone: string; plan: string } {
  return { provider: 'hetzner', zone: config.location, plan: config.server_type };
}
