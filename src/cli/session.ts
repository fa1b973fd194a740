import type { LoadedConfig } from '../config/load.js';
import { loadSecrets, type LoadedSecrets } from '../config/secrets.js';
import type { LifecycleDeps } from '../deploy/ports.js';
import { StateStore } from '../state/store.js';
import { createProgress } from '../ui/progress.js';
import type { Context } from './context.js';
import { createProvider, msFromEnv } from './provider-factory.js';

export const DEFAULT_DOCKER_INSTALL_URL = 'https://get.docker.com';

export interface Session {
  config: LoadedConfig;
  secrets: LoadedSecrets;
  deps: LifecycleDeps;
  store: StateStore;
  close(): Promise<void>;
}

/**
 * Everything a command that touches the provider and the VMs needs. Credentials are resolved first, so a
 * command without them refuses before doing anything; undici and ssh2 are loaded only here.
 */
export async function openSession(ctx: Context, loaded?: LoadedSecrets): Promise<Session> {
  const config = await ctx.loadConfig();
  const secrets = loaded ?? (await loadSecrets({ secretsFile: config.secretsFile, root: config.root, env: ctx.env, signal: ctx.signal }));
  ctx.addSecrets(secrets.values.values());
  const provider = await createProvider(ctx, config, secrets);
  const { sshConnector } = await import('./connector.js');
  const pollIntervalMs = msFromEnv(ctx.env, 'KAMAL_DEV_POLL_INTERVAL_MS', 5_000);
  const ssh = sshConnector({
    user: config.config.ssh.user,
    port: config.config.ssh.port,
    privateKeyPath: config.privateKeyPath,
    agent: ctx.env.SSH_AUTH_SOCK,
    secrets: [...secrets.values.values()],
    onCommand: (command, ms, exitCode) => ctx.log.verbose(`SSH ${command} -> exit ${exitCode} (${Math.round(ms)} ms)`),
  });
  const store = new StateStore(config.statePath);
  const progress = createProgress(ctx.io, { quiet: ctx.globals.quiet, clock: ctx.now, scrub: (text) => ctx.scrub(text) });
  const deps: LifecycleDeps = {
    provider,
    state: store,
    connect: ssh.connect,
    progress,
    log: ctx.log,
    now: ctx.now,
    signal: ctx.signal,
    dockerInstallUrl: ctx.env.KAMAL_DEV_DOCKER_INSTALL_URL || DEFAULT_DOCKER_INSTALL_URL,
    pollIntervalMs,
    bootTimeoutMs: msFromEnv(ctx.env, 'KAMAL_DEV_BOOT_TIMEOUT_MS', 600_000),
    sshTimeoutMs: msFromEnv(ctx.env, 'KAMAL_DEV_SSH_TIMEOUT_MS', 300_000),
    concurrency: 10,
  };
  return {
    config,
    secrets,
    deps,
    store,
    close: async () => {
      progress.done();
      await ssh.closeAll();
    },
  };
}
