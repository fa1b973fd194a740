import { RemoteCommandError } from '../lib/errors.js';
import { sleep } from '../lib/sleep.js';
import { check } from '../remote/check.js';
import type { Argv, Executor } from '../remote/executor.js';
import { pipe } from '../remote/script.js';
import { DOCKER_ENGINE_TIMEOUT_MS } from './timeouts.js';

/** The SSH user's home folder on the host (docker's --env-file and -v need absolute paths). */
export async function homeDir(executor: Executor): Promise<string> {
  const home = (await check(executor, ['sh', '-c', 'printf %s "$HOME"'])).stdout.trim();
  return home || '/root';
}

/** The install script piped to sh: what the SSH step runs, and what cloud-init runs at boot (cloud-config.ts). */
export function dockerInstallCommand(installUrl: string): Argv {
  return pipe(['curl', '-fsSL', installUrl], ['sh']);
}

/**
 * Installs Docker with the install script when `docker` is missing (saying so through `onInstall`), then
 * checks that the engine answers.
 */
export async function ensureDocker(executor: Executor, installUrl: string, onInstall: () => void, signal?: AbortSignal): Promise<void> {
  const present = await executor.run(['sh', '-c', 'command -v docker'], signal ? { signal } : {});
  if (present.exitCode !== 0) {
    onInstall();
    await check(executor, dockerInstallCommand(installUrl), signal ? { signal } : {});
  }
  await waitForEngine(executor, signal);
}

/** `docker info` until the engine answers (it may still be starting on a freshly booted VM). */
async function waitForEngine(executor: Executor, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + DOCKER_ENGINE_TIMEOUT_MS;
  for (;;) {
    const info = await executor.run(['docker', 'info', '--format', '{{.ServerVersion}}'], signal ? { signal } : {});
    if (info.exitCode === 0) return;
    if (Date.now() > deadline) {
      throw new RemoteCommandError(executor.host, 'docker info', info.exitCode, info.stderr);
    }
    await sleep(1000, signal);
  }
}

/** The metadata service of UpCloud (and Hetzner): it serves the VM's user_data to anything on the VM that asks. */
export const METADATA_ADDRESS = '169.254.169.254';

/**
 * Rejects traffic from containers to the metadata address: a rule in the `DOCKER-USER` chain, which Docker puts
 * before its own forwarding rules and never flushes (docs/architecture.md#host-keys). Added once; run at each
 * deploy, so a VM whose rules a reboot cleared gets it back.
 */
export async function blockMetadata(executor: Executor, signal?: AbortSignal): Promise<void> {
  const rule = `DOCKER-USER -d ${METADATA_ADDRESS}/32 -j REJECT`;
  const script = `s=; [ "$(id -u)" = 0 ] || s="sudo -n"; $s iptables -C ${rule} 2>/dev/null || $s iptables -I ${rule}`;
  await check(executor, ['sh', '-c', script], signal ? { signal } : {});
}
