import { z } from 'zod';
import { parseHost } from './hosts.js';

const Host = z.string().refine((entry) => parseHost(entry) !== undefined, {
  error: (issue) => `expected HOST, USER@HOST or USER@HOST:PORT, got ${JSON.stringify(String(issue.input).slice(0, 80))}`,
});

/** `provider:` of config/dev.yml for `type: ssh`: your own machines (docs/configuration.md#provider-ssh). Pure: zod only. */
export const SshConfigSchema = z.strictObject({
  type: z.literal('ssh'),
  hosts: z
    .array(Host, { error: 'expected a list of hosts: HOST, USER@HOST or USER@HOST:PORT' })
    .min(1, { error: 'expected at least one host' })
    .refine((hosts) => new Set(hosts.map((h) => parseHost(h)?.host)).size === hosts.length, { error: 'each host may be listed once' }),
});

export type SshConfig = z.infer<typeof SshConfigSchema>;

/** Own hosts have no zone or plan; the state records these words instead. */
export const OWN_ZONE = 'own-hosts';
export const OWN_PLAN = 'own-host';

export function sshPlacement(): { provider: 'ssh'; zone: string; plan: string } {
  return { provider: 'ssh', zone: OWN_ZONE, plan: OWN_PLAN };
}
