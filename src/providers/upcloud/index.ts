import type { ProviderDefinition } from '../provider.js';
import { UpcloudConfigSchema, upcloudPlacement } from './config.js';
import { resolveUpcloudCredentials, UPCLOUD_CREDENTIAL_KEYS } from './credentials.js';
import { credentialLookup } from '../credentials.js';

/** UpCloud (API 1.3 over undici). The client is loaded only when a command needs the provider. */
export const upcloud = {
  type: 'upcloud',
  schema: UpcloudConfigSchema,
  credentialKeys: UPCLOUD_CREDENTIAL_KEYS,
  placement: upcloudPlacement,
  async create(setup) {
    const credentials = resolveUpcloudCredentials(credentialLookup(UPCLOUD_CREDENTIAL_KEYS, setup.env, setup.secrets));
    setup.onSecret(credentials.kind === 'bearer' ? credentials.token : credentials.password);
    const { UpcloudProvider } = await import('./upcloud-provider.js');
    return new UpcloudProvider({
      config: setup.config,
      apiUrl: setup.env.UPCLOUD_API_URL || setup.config.api_url,
      credentials,
      pollIntervalMs: setup.pollIntervalMs,
      ...(setup.onRequest ? { onRequest: setup.onRequest } : {}),
    });
  },
} satisfies ProviderDefinition<typeof UpcloudConfigSchema>;
