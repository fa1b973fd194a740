import { check } from '../remote/check.js';
import type { Executor } from '../remote/executor.js';
import { watcherInstall, type IdleSettings } from './idle-watcher.js';

/** Puts the idle watcher on the VM and starts it (idempotent); nothing when `idleSeconds` is 0 (off). */
export async function ensureIdleWatcher(executor: Executor, home: string, idleSeconds: number, settings: IdleSettings, signal: AbortSignal): Promise<void> {
  if (idleSeconds <= 0) return;
  const { files, argv } = watcherInstall(home, idleSeconds, settings);
  for (const [path, text] of Object.entries(files)) await executor.upload(path, text, 0o755);
  await check(executor, argv, { signal });
}
