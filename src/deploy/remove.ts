import { dockerRemove } from '../docker/commands.js';
import { mapPool } from '../lib/pool.js';
import type { Entry } from '../state/schema.js';
import type { LifecycleDeps } from './ports.js';
import { serviceLabels } from './apply.js';

export interface RemoveResult {
  name: string;
  removed: boolean;
  error?: string;
}

const CONTAINER_STOP_TIMEOUT_MS = 20_000;

/**
 * Removes workspaces: their containers (best effort), their VM once no other workspace uses it, then their
 * entries. An entry is dropped only after its VM is confirmed gone (or still used by a workspace that stays).
 */
export async function removeWorkspaces(
  service: string,
  names: readonly string[],
  deps: LifecycleDeps,
): Promise<RemoveResult[]> {
  const { deployments } = await deps.state.read();
  const removing = new Set(names);
  const sharedWithStaying = (entry: Entry) =>
    Object.entries(deployments).some(([other, e]) => !removing.has(other) && e.vm_id && e.vm_id === entry.vm_id);
  const destroyed = new Map<string, Promise<void>>();
  const destroyOnce = (id: string) => {
    let done = destroyed.get(id);
    if (!done) {
      done = deps.provider.destroyVm(id, deps.signal);
      destroyed.set(id, done);
    }
    return done;
  };

  const removeOne = async (name: string): Promise<RemoveResult> => {
    const entry = deployments[name];
    if (!entry) return { name, removed: true };
    const step = (text: string, outcome?: 'ok' | 'failed') =>
      deps.progress.update({ workspace: name, step: text, ...(outcome ? { outcome } : {}) });
    try {
      const keepVm = sharedWithStaying(entry);
      if (entry.vm_ip && (keepVm || entry.status === 'running')) {
        step('removing container');
        await removeContainer(entry, keepVm, deps).catch((error: unknown) => {
          if (keepVm) throw error;
          deps.log.verbose(`${name}: container not removed (${(error as Error).message}); the VM goes anyway`);
        });
      }
      if (!keepVm) {
        const ids = new Set<string>();
        if (entry.vm_id) ids.add(entry.vm_id);
        if (entry.request_id) {
          // A create whose reply was lost still carries its request label.
          const labelled = await deps.provider.listVms({ ...serviceLabels(entry.service ?? service), 'kamal-dev-request': entry.request_id }, deps.signal);
          for (const vm of labelled) ids.add(vm.id);
        }
        for (const id of ids) {
          step(`destroying VM ${id}`);
          await destroyOnce(id);
        }
      }
      await deps.state.remove(name);
      step('removed', 'ok');
      return { name, removed: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.state.patch(name, { status: 'failed', error: message }).catch(() => undefined);
      step(`failed: ${message}`, 'failed');
      return { name, removed: false, error: message };
    }
  };

  const results = await mapPool(names, deps.concurrency, removeOne, deps.signal);
  return results.map((r, i) => r ?? { name: names[i]!, removed: false, error: 'interrupted' });
}

/** Removes the container and its env file (which holds secrets) when the VM stays; stops it otherwise. */
async function removeContainer(entry: Entry, keepVm: boolean, deps: LifecycleDeps): Promise<void> {
  const { executor } = await deps.connect(entry.vm_ip!, entry.host_key, { signal: deps.signal, timeoutMs: CONTAINER_STOP_TIMEOUT_MS });
  await executor.run(dockerRemove(entry.container_name));
  if (keepVm) await executor.run(['sh', '-c', 'rm -f "$HOME/.kamal-dev/env/$1.env"', 'rm-env', entry.container_name]);
}
