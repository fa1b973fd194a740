import { credentialLookup } from '../config/credentials.js';
import type { LoadedConfig } from '../config/load.js';
import type { LoadedSecrets } from '../config/secrets.js';
import { ConfigError } from '../lib/errors.js';
import { PlacementError, type Provider } from '../providers/provider.js';
import { resolveUpcloudCredentials } from '../providers/credentials.js';
import type { Context } from './context.js';

/** Milliseconds from an environment variable, else the default. */
export function msFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * The UpCloud provider with credentials from the environment or the secrets files (a ConfigError, exit 2,
 * when there are none). undici is loaded only here, so commands that never call the provider stay fast.
 */
export async function createProvider(ctx: Context, config: LoadedConfig, secrets: LoadedSecrets): Promise<Provider> {
  const credentials = resolveUpcloudCredentials(credentialLookup(ctx.env, secrets.values));
  ctx.addSecrets([credentials.kind === 'bearer' ? credentials.token : credentials.password]);
  const { UpcloudProvider } = await import('../providers/upcloud/index.js');
  return new UpcloudProvider({
    apiUrl: ctx.env.UPCLOUD_API_URL || config.config.provider.api_url,
    credentials,
    pollIntervalMs: msFromEnv(ctx.env, 'KAMAL_DEV_POLL_INTERVAL_MS', 5_000),
    onRequest: (e) => ctx.log.verbose(`API ${e.method} ${e.path} -> ${e.status ?? 'no answer'} (${Math.round(e.ms)} ms)`),
  });
}

/** Runs a provider call whose zone/plan errors must name the config file, as every configuration error does. */
export async function namingConfigFile<T>(file: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof PlacementError) throw new ConfigError(`${file}: ${error.message}`, error.hint ? { hint: error.hint } : {});
    throw error;
  }
}
