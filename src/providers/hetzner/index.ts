import { credentialLookup } from '../credentials.js';
import type { ProviderDefinition } from '../provider.js';
import { DEFAULT_API_URL, HetznerConfigSchema, hetznerPlacement } from './config.js';
import { HETZNER_CREDENTIAL_KEYS, resolveHetznerToken } from './credentials.js';

/** Hetzner Cloud (API v1 over undici). The client is loaded only when a command needs the provider. */
export const hetzner = {
  type: 'hetzner',
  schema: HetznerConfigSchema,
  credentialKeys: HETZNER_CREDENTIAL_KEYS,
  placement: hetznerPlacement,
  async create(setup) {
    const token = resolveHetznerToken(credentialLookup(HETZNER_CREDENTIAL_KEYS, setup.env, setup.secrets));
    setup.onSecret(token);
    const { HetznerProvider } = await import('./hetzner-provider.js');
    return new HetznerProvider({
      config: setup.config,
      // HCLOUD_ENDPOINT: the variable Hetzner's own CLI reads for its base URL.
      apiUrl: setup.env.HCLOUD_ENDPOINT || DEFAULT_API_URL,
      token,
      pollIntervalMs: setup.pollIntervalMs,
      ...(setup.onRequest ? { onRequest: setup.onRequest } : {}),
    });
  },
} satisfies ProviderDefinition<typeof HetznerConfigSchema>;
