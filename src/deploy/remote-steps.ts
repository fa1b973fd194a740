import { RemoteCommandError } from '../lib/errors.js';
import { sleep } from '../lib/sleep.js';
// eslint-disable-next-line no-restricted-imports -- layer violation, fixed by the middle-layer refactor
import { check } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';

/** The SSH user's home folder on the host (docker's --env-file and -v need absolute paths). */
export async function homeDir(executor: Executor): Promise<string> {
  const home = (await check(executor, ['sh', '-c', 'printf %s "$HOME"'])).stdout.trim();
  return home || '/root';
}

/**
 * Installs Docker with the install script when `docker` is missing, then checks that the engine answers.
 * Returns whether it had to install.
 */
export async function ensureDocker(executor: Executor, installUrl: string, signal?: AbortSignal): Promise<boolean> {
  const present = await executor.run(['sh', '-c', 'command -v docker'], signal ? { signal } : {});
  let installed = false;
  if (present.exitCode !== 0) {
    // The URL travels as a positional parameter, never inside the script text.
    await check(executor, ['sh', '-c', 'curl -fsSL "$1" | sh', 'install-docker', installUrl], signal ? { signal } : {});
    installed = true;
  }
  await waitForEngine(executor, signal);
  return installed;
}

/** `docker info` until the engine answers (it may still be starting on a freshly booted VM). */
async function waitForEngine(executor: Executor, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const info = await executor.run(['docker', 'info', '--format', '{{.ServerVersion}}'], signal ? { signal } : {});
    if (info.exitCode === 0) return;
    if (Date.now() > deadline) {
      throw new RemoteCommandError(executor.host, 'docker info', info.exitCode, info.stderr);
    }
    await sleep(1000, signal);
  }
}
