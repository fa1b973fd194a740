import { z } from 'zod';

/** Ubuntu 24.04 with cloud-init, UpCloud's public template. */
export const DEFAULT_STORAGE_TEMPLATE = '01000000-0000-4000-8000-000030240200';
export const DEFAULT_API_URL = 'https://api.upcloud.com';

/** `provider:` of config/dev.yml for `type: upcloud` (docs/configuration.md#devyml). Pure: zod only. */
export const UpcloudConfigSchema = z.strictObject({
  type: z.literal('upcloud'),
  zone: z.string().min(1, { error: 'expected a zone such as us-nyc1' }),
  plan: z.string().min(1, { error: 'expected a plan such as 1xCPU-2GB' }),
  storage_template: z.string().min(1).default(DEFAULT_STORAGE_TEMPLATE),
  disk_size: z.number().int({ error: 'expected a whole number of GiB' }).min(10).max(4096).optional(),
  api_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default(DEFAULT_API_URL),
});

export type UpcloudConfig = z.infer<typeof UpcloudConfigSchema>;

/** UpCloud's zone and plan are what the state records of a VM. */
export function upcloudPlacement(config: UpcloudConfig): { provider: 'upcloud'; zone: string; plan: string } {
  return { provider: 'upcloud', zone: config.zone, plan: config.plan };
}
