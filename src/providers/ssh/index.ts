import type { ProviderDefinition } from '../provider.js';
import { SshConfigSchema, sshPlacement } from './config.js';
import { parseHost } from './hosts.js';

/** Your own hosts over SSH: no credentials, no API; nothing is created or destroyed. */
export const ssh = {
  type: 'ssh',
  schema: SshConfigSchema,
  credentialKeys: [],
  placement: sshPlacement,
  sshTargets: (config) =>
    Object.fromEntries(
      config.hosts.map((entry) => {
        const { host, user, port } = parseHost(entry)!;
        return [host, { ...(user ? { user } : {}), ...(port ? { port } : {}) }];
      }),
    ),
  async create(setup) {
    const { SshHostsProvider } = await import('./ssh-provider.js');
    return new SshHostsProvider(setup.config);
  },
} satisfies ProviderDefinition<typeof SshConfigSchema>;
