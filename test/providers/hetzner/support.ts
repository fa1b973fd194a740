import { Secret } from '../../../src/lib/secret.js';
import { HetznerConfigSchema, type HetznerConfig } from '../../../src/providers/hetzner/config.js';
import { HetznerProvider, type HetznerProviderOptions } from '../../../src/providers/hetzner/hetzner-provider.js';
import type { CreateVmRequest } from '../../../src/providers/provider.js';
import type { HetznerEmulator } from '../../localcloud/hetzner/emulator.js';

export const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIccHCW76xx2rrPAUrjnuT6IjpEF1O+/U4IByVgv99Oi kamal-dev-test';

export function hetznerConfig(overrides: Partial<HetznerConfig> = {}): HetznerConfig {
  return HetznerConfigSchema.parse({ type: 'hetzner', location: 'fsn1', server_type: 'cx22', ...overrides });
}

/** A provider on the emulator with short waits, so that fault runs stay quick. */
export function hetznerFor(em: HetznerEmulator, options: Partial<HetznerProviderOptions> = {}): HetznerProvider {
  return new HetznerProvider({
    config: hetznerConfig(),
    apiUrl: em.apiUrl,
    token: new Secret(em.token),
    timeoutMs: 3_000,
    retries: 12,
    retryBaseMs: 5,
    retryMaxMs: 50,
    maxRetryAfterMs: 1_500,
    pollIntervalMs: 50,
    createAttempts: 12,
    createLookupDelayMs: 0,
    ...options,
  });
}

export function createRequest(name: string, service = 'emu'): CreateVmRequest {
  return {
    name,
    sshUser: 'root',
    sshPublicKey: KEY,
    labels: { managedBy: 'kamal-dev', 'kamal-dev-service': service, 'kamal-dev-workspace': name, 'kamal-dev-request': `req-${name}` },
  };
}

/** Polls getVm until the VM is started. */
export async function startedVm(provider: HetznerProvider, id: string) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 20))) {
    const vm = await provider.getVm(id);
    if (vm?.state === 'started') return vm;
  }
  return undefined;
}
